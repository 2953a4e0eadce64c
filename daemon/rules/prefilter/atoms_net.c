// SPDX-License-Identifier: Apache-2.0
/*
 * One comparison of a condition on a connect or a socket call, as the
 * prefilter sees it (clauses.h): each class (VGL_PFC_C_*, VGL_PFC_S_*)
 * fixes some values, and the comparison is evaluated on them as the
 * matcher does (compile/match.c, strops.c): a connect's fd.typechar, its
 * result, and on both ends the loopback address when the class says so; a
 * socket call's domain and result. A class whose value is not fixed leaves
 * the comparison unknown there. proc.name and evt.type are as for opens;
 * anything else is unknown everywhere.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "output/names.h"
#include "rules/compile/constants.h"
#include "rules/prefilter/derive.h"

#define UNKNOWN -1

/* A comparison of a string field whose value is @s (@len bytes). */
static int str_eval(const struct ast *a, const char *s, size_t len)
{
	char err[128];
	int ret = a->op == OP_IN ? 0 : UNKNOWN;

	if (a->op != OP_IN && a->nvals != 1)
		return UNKNOWN;
	for (size_t i = 0; i < a->nvals && ret != 1; i++) {
		struct cval cv;

		if (cval_parse(FT_STR, a->op, &a->vals[i], &cv, err, sizeof(err)))
			return UNKNOWN;
		switch (a->op) {
		case OP_IN:
			ret = cmp_str(OP_EQ, s, len, &cv);
			break;
		case OP_EQ:
		case OP_NE:
		case OP_CONTAINS:
		case OP_STARTSWITH:
		case OP_ENDSWITH:
		case OP_GLOB:
			ret = cmp_str(a->op, s, len, &cv);
			break;
		default:
			break;
		}
		cval_clear(&cv);
	}
	return ret;
}

/* fd.ip / fd.net ... (@net: a network field) whose values are all @v. */
static int ip_eval(const struct ast *a, bool net, const struct vgl_fval *v)
{
	char err[128];
	bool any = false;

	if (a->op != OP_EQ && a->op != OP_NE && a->op != OP_IN)
		return UNKNOWN;
	for (size_t i = 0; i < a->nvals; i++) {
		struct cval cv;

		if (cval_parse(net ? FT_NET : FT_IP, a->op, &a->vals[i], &cv, err, sizeof(err)))
			return UNKNOWN;
		any = any || (net ? cval_net_has(&cv, v)
				  : cv.fam == v->fam && !memcmp(cv.ip, v->ip, sizeof(cv.ip)));
		cval_clear(&cv);
	}
	return a->op == OP_NE ? !any : any;
}

/* An integer comparison on @x. */
static int int_one(const struct ast *a, int64_t x)
{
	char err[128];
	bool any = false;

	for (size_t i = 0; i < a->nvals; i++) {
		struct cval cv;
		int64_t c;

		if (cval_parse(FT_INT, a->op, &a->vals[i], &cv, err, sizeof(err)))
			return UNKNOWN;
		c = cv.i;
		cval_clear(&cv);
		switch (a->op) {
		case OP_EQ:
		case OP_IN:
			any = any || x == c;
			break;
		case OP_NE:
			return a->nvals == 1 ? x != c : UNKNOWN;
		case OP_LT:
			return a->nvals == 1 ? x < c : UNKNOWN;
		case OP_LE:
			return a->nvals == 1 ? x <= c : UNKNOWN;
		case OP_GT:
			return a->nvals == 1 ? x > c : UNKNOWN;
		case OP_GE:
			return a->nvals == 1 ? x >= c : UNKNOWN;
		default:
			return UNKNOWN;
		}
	}
	return any;
}

/* Merge one point's answer into @acc (-2: none yet). */
static int merge(int acc, int v)
{
	return acc == -2 ? v : acc == v ? acc : UNKNOWN;
}

/*
 * An integer comparison over every value in [@lo, @hi] but @skip: its truth
 * changes only next to a constant, so the ends, the constants and their
 * neighbours, and @skip's, decide it.
 */
static int int_range(const struct ast *a, int64_t lo, int64_t hi, int64_t skip)
{
	char err[128];
	int acc = -2;

	for (size_t i = 0; i <= a->nvals && acc != UNKNOWN; i++) {
		int64_t c = skip;
		struct cval cv;

		if (i < a->nvals) {
			if (cval_parse(FT_INT, a->op, &a->vals[i], &cv, err, sizeof(err)))
				return UNKNOWN;
			c = cv.i;
			cval_clear(&cv);
		}
		c = c < lo ? lo - 1 : c > hi ? hi + 1 : c; /* no overflow next to it */
		for (int64_t x = c - 1; x <= c + 1; x++)
			if (x >= lo && x <= hi && x != skip)
				acc = merge(acc, int_one(a, x));
	}
	if (lo != skip)
		acc = merge(acc, int_one(a, lo));
	if (hi != skip)
		acc = merge(acc, int_one(a, hi));
	return acc == -2 ? UNKNOWN : acc;
}

/* A connect's evt.res when it failed otherwise than EINPROGRESS: an errno name, not those. */
static int res_other(const struct ast *a)
{
	for (size_t i = 0; i < a->nvals; i++)
		if (strcmp(a->vals[i].s, "SUCCESS") && strcmp(a->vals[i].s, "EINPROGRESS"))
			return UNKNOWN;
	return a->op == OP_EQ || a->op == OP_IN ? 0 : a->op == OP_NE ? 1 : UNKNOWN;
}

static int conn_eval(const struct ast *a, unsigned int cls)
{
	static const char *const ips[] = { "fd.ip", "fd.cip", "fd.sip", "fd.lip", "fd.rip" };
	static const char *const nets[] = { "fd.net", "fd.cnet", "fd.snet", "fd.lnet", "fd.rnet" };
	bool ok = cls & VGL_PFC_C_OK, inprog = !ok && (cls & VGL_PFC_C_INPROG);
	struct vgl_fval v = { 0 };
	char tc = cls & VGL_PFC_C_INET	  ? '4'
		  : cls & VGL_PFC_C_INET6 ? '6'
		  : cls & VGL_PFC_C_UNIX  ? 'u'
					  : 's';

	if (!strcmp(a->field, "fd.typechar"))
		return str_eval(a, &tc, 1);
	if (!strcmp(a->field, "evt.res"))
		return ok	? str_eval(a, "SUCCESS", 7)
		       : inprog ? str_eval(a, "EINPROGRESS", 11)
				: res_other(a);
	if (!strcmp(a->field, "evt.rawres"))
		return ok	? int_one(a, 0)
		       : inprog ? int_one(a, -VGL_PF_EINPROGRESS)
				: int_range(a, -4095, -1, -VGL_PF_EINPROGRESS);
	if (!(cls & VGL_PFC_C_LOOP) || (tc != '4' && tc != '6'))
		return UNKNOWN;
	v.fam = tc == '4' ? 4 : 6;
	inet_pton(tc == '4' ? AF_INET : AF_INET6, tc == '4' ? "127.0.0.1" : "::1", v.ip);
	for (size_t i = 0; i < sizeof(ips) / sizeof(ips[0]); i++) {
		if (!strcmp(a->field, ips[i]))
			return ip_eval(a, false, &v);
		if (!strcmp(a->field, nets[i]))
			return ip_eval(a, true, &v);
	}
	return UNKNOWN;
}

/*
 * evt.arg.domain of a socket call of another domain than the classes name:
 * another family's name, or a number (a domain with no name): every name
 * is tried, and a number cannot hold a constant with a byte other than a
 * digit or '-'.
 */
static int other_domain(const struct ast *a)
{
	static const int64_t named[] = { AF_INET, AF_INET6, AF_UNIX, AF_PACKET };
	int acc = a->op == OP_NE; /* a number's answer */

	if (a->op != OP_EQ && a->op != OP_NE && a->op != OP_IN && a->op != OP_CONTAINS &&
	    a->op != OP_STARTSWITH && a->op != OP_ENDSWITH)
		return UNKNOWN;
	for (size_t i = 0; i < a->nvals; i++)
		if (strspn(a->vals[i].s, "0123456789-") == a->vals[i].len)
			return UNKNOWN;
	for (int64_t d = 0; d < 64 && acc != UNKNOWN; d++) {
		const char *name = vgl_family_name(d);
		bool skip = !name;

		for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++)
			skip = skip || d == named[i];
		if (!skip)
			acc = merge(acc, str_eval(a, name, strlen(name)));
	}
	return acc;
}

static int sock_eval(const struct ast *a, unsigned int cls)
{
	int64_t dom = cls & VGL_PFC_S_INET     ? AF_INET
		      : cls & VGL_PFC_S_INET6  ? AF_INET6
		      : cls & VGL_PFC_S_UNIX   ? AF_UNIX
		      : cls & VGL_PFC_S_PACKET ? AF_PACKET
					       : -1;
	const char *name = dom < 0 ? NULL : vgl_family_name(dom);

	if (!strcmp(a->field, "evt.rawres"))
		return cls & VGL_PFC_S_OK ? int_range(a, 0, INT32_MAX, -1)
					  : int_range(a, -4095, -1, 0);
	if (!strcmp(a->field, "evt.arg.domain") ||
	    (!strcmp(a->field, "evt.arg") && a->arg && !strcmp(a->arg, "domain")))
		return name ? str_eval(a, name, strlen(name)) : other_domain(a);
	return UNKNOWN;
}

struct pfr pf_cmp_net(const struct ast *a, enum vgl_kind kind)
{
	struct vgl_pf_mask may = { { 0, 0 } }, must = { { 0, 0 } };

	if (!strcmp(a->field, "evt.type"))
		return pf_evt_type(a, kind);
	if (!strcmp(a->field, "proc.name"))
		return pf_proc_name(a);
	for (unsigned int cls = 0; cls < 128; cls++) {
		int v = kind == VGL_EV_CONNECT ? conn_eval(a, cls) : sock_eval(a, cls);

		if (v != 0)
			may.w[cls / 64] |= 1ull << (cls % 64);
		if (v == 1)
			must.w[cls / 64] |= 1ull << (cls % 64);
	}
	return pfr_may_must(may, must);
}
