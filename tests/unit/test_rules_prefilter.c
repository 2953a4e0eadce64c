// SPDX-License-Identifier: Apache-2.0
/*
 * The prefilter against the matcher: synthetic opens built from every
 * constant of the filter derived from a rule set (each exact path, prefix,
 * suffix and requested name, with and without a further component, and
 * paths no constant names), in each of the 128 open classes, by a few
 * processes. For every open the prefilter drops, the matcher must raise
 * nothing: it is an over-approximation. The processes are a few common
 * ones, every process name the filter holds and others the rules name
 * (proc.name constants), on the host and in a container; the filter judges
 * each open with its process's name. Dropped and passed counts per kind
 * are printed; a filter that drops nothing fails too.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>
#include <cmocka.h>

#include "test_prefilter_util.h"

static const enum vgl_kind kinds[] = { VGL_EV_OPENAT, VGL_EV_OPEN, VGL_EV_OPENAT2, VGL_EV_CREAT };
#define MAX_COMMS 48

struct tally {
	size_t dropped[VGL_EV_MAX], passed[VGL_EV_MAX];
	const char *set;
	struct vgl_match_ctx *ctx;
	const char *comms[MAX_COMMS];
	size_t ncomms;
};

/* Process @comm into @tl's, unless there or too long; false when full. */
static bool add_comm(struct tally *tl, const char *comm)
{
	size_t j = 0;

	while (j < tl->ncomms && strcmp(tl->comms[j], comm))
		j++;
	if (j == tl->ncomms && tl->ncomms == MAX_COMMS)
		return false;
	if (j == tl->ncomms && strlen(comm) < 16)
		tl->comms[tl->ncomms++] = comm;
	return true;
}

/* proc.name constants of @a into @tl's processes, up to MAX_COMMS. */
static void add_comms(const struct ast *a, struct tally *tl)
{
	for (size_t i = 0; i < a->nkids; i++)
		add_comms(a->kids[i], tl);
	if (a->type != AST_CMP || strcmp(a->field, "proc.name"))
		return;
	for (size_t i = 0; i < a->nvals && add_comm(tl, a->vals[i].s); i++)
		;
}

/* An open of @kind in class @cls: flags, mode, result and name that give it. */
static void build(struct tev *t, enum vgl_kind kind, const char *comm, const char *path,
		  const char *name, unsigned int cls, int64_t more_flags)
{
	int64_t flags = (cls & VGL_PFC_READ) && (cls & VGL_PFC_WRITE) ? O_RDWR
			: (cls & VGL_PFC_WRITE)			      ? O_WRONLY
			: (cls & VGL_PFC_READ)			      ? O_RDONLY
								      : O_ACCMODE;

	flags |= more_flags;
	if (cls & VGL_PFC_CREATE)
		flags |= O_CREAT;
	if (cls & VGL_PFC_DIR)
		flags |= O_DIRECTORY;
	tev_init(t, kind, comm, 4242, (cls & VGL_PFC_OK) ? 3 : -ENOENT);
	if (kind != VGL_EV_OPEN && kind != VGL_EV_CREAT)
		tev_num(t, "dirfd", -100);
	tev_str(t, "name", name);
	tev_str(t, "path", path);
	if (kind != VGL_EV_CREAT)
		tev_num(t, "flags", flags);
	tev_num(t, "mode", (cls & VGL_PFC_CREATE) && (cls & VGL_PFC_EXEC) ? 0755 : 0644);
}

static void one(const struct vgl_ruleset *rs, const struct vgl_prefilter *pf, enum vgl_kind kind,
		const char *path, const char *name, struct tally *tl)
{
	static struct tev t;
	const char *hit;

	for (unsigned int cls = 0; cls < 128; cls++) {
		/* creat is O_CREAT|O_WRONLY|O_TRUNC, never a directory */
		if (kind == VGL_EV_CREAT &&
		    (cls & (VGL_PFC_READ | VGL_PFC_DIR | VGL_PFC_CREATE | VGL_PFC_WRITE)) !=
			    (VGL_PFC_CREATE | VGL_PFC_WRITE))
			continue;
		if (!!strstr(name, "../") != !!(cls & VGL_PFC_DOTDOT))
			continue;
		for (size_t c = 0; c < tl->ncomms; c++) {
			if (vgl_prefilter_pass(pf, kind, path, name, cls, tl->comms[c])) {
				tl->passed[kind]++;
				continue;
			}
			tl->dropped[kind]++;
			/* a write with and without O_TRUNC (not a class bit: "truncate...") */
			for (int trunc = 0; trunc <= !!(cls & VGL_PFC_WRITE); trunc++) {
				build(&t, kind, tl->comms[c], path, name, cls, trunc ? O_TRUNC : 0);
				if ((hit = pfu_matches(rs, tl->ctx, &t.ev)))
					fail_msg("%s: %s of %s (name %s, class %#x, %s) dropped, "
						 "but rule \"%s\" matches it",
						 tl->set, vgl_kind_info[kind].name, path, name, cls,
						 tl->comms[c], hit);
			}
		}
	}
}

/* Paths around one constant: itself, one level under it, one beside it. */
static void around(const struct vgl_ruleset *rs, const struct vgl_prefilter *pf, enum vgl_kind kind,
		   const struct vgl_pf_entry *e, struct tally *tl)
{
	char a[512], b[512], c[512];

	switch (e->type) {
	case VGL_PF_SUFFIX:
		snprintf(a, sizeof(a), "/tmp/pf%s", e->s);
		snprintf(b, sizeof(b), "/tmp/pf%s.bak", e->s);
		snprintf(c, sizeof(c), "/tmp/pf/x%s", e->s);
		break;
	case VGL_PF_NAME_EXACT:
	case VGL_PF_NAME_PREFIX:
		snprintf(a, sizeof(a), "%s", e->s);
		snprintf(b, sizeof(b), "%setc/shadow", e->s);
		snprintf(c, sizeof(c), "%s/x", e->s);
		one(rs, pf, kind, "/etc/shadow", a, tl);
		one(rs, pf, kind, "/etc/shadow", b, tl);
		one(rs, pf, kind, "/tmp/pf/y", c, tl);
		return;
	case VGL_PF_DIR: /* in it, below it, itself */
		snprintf(a, sizeof(a), "%sx", e->s);
		snprintf(b, sizeof(b), "%sx/y", e->s);
		snprintf(c, sizeof(c), "%.*s", strlen(e->s) > 1 ? (int)strlen(e->s) - 1 : 1, e->s);
		break;
	default:
		snprintf(a, sizeof(a), "%s", e->s);
		snprintf(b, sizeof(b), "%s/x", e->s);
		snprintf(c, sizeof(c), "%sx", e->s);
		break;
	}
	one(rs, pf, kind, a, a, tl);
	one(rs, pf, kind, b, b, tl);
	one(rs, pf, kind, c, c, tl);
	one(rs, pf, kind, a, "../x/../y", tl);
}

/* Paths around substring @sub: it alone, inside a name, and cut short. */
static void around_sub(const struct vgl_ruleset *rs, const struct vgl_prefilter *pf,
		       enum vgl_kind kind, const char *sub, struct tally *tl)
{
	char a[512], b[512], c[512];

	snprintf(a, sizeof(a), "/tmp/pf/%s", sub);
	snprintf(b, sizeof(b), "/tmp/pf/.x%sy", sub);
	snprintf(c, sizeof(c), "/tmp/pf/%.*s", (int)strlen(sub) - 1, sub);
	one(rs, pf, kind, a, a, tl);
	one(rs, pf, kind, b, b, tl);
	one(rs, pf, kind, c, c, tl);
	one(rs, pf, kind, b, "../x/../y", tl);
	one(rs, pf, kind, c, "../x/../y", tl);
}

/* Each rule's `contains` constants of a path, whatever the filter kept of them. */
static void around_contains(const struct vgl_ruleset *rs, const struct vgl_prefilter *pf,
			    enum vgl_kind kind, const struct ast *a, struct tally *tl)
{
	for (size_t i = 0; i < a->nkids; i++)
		around_contains(rs, pf, kind, a->kids[i], tl);
	if (a->type == AST_CMP && a->op == OP_CONTAINS && !strncmp(a->field, "fd.", 3))
		for (size_t i = 0; i < a->nvals; i++)
			if (a->vals[i].len > 0 && a->vals[i].len < 400)
				around_sub(rs, pf, kind, a->vals[i].s, tl);
}

static void differential(const char *set, const char *const *files, size_t n)
{
	static const char *const plain[] = {
		"/tmp/pf/nothing", "/usr/lib/libc.so.6", "/", "/etc", "/home/u/.cache/x", "/root/x"
	};
	const struct vgl_ruleset *rsc;
	struct vgl_ruleset *rs;
	struct vgl_prefilter *pf;
	struct tally tl = { .set = set, .comms = { "cat", "sh", "sshd", "python3" }, .ncomms = 4 };

	rs = pfu_load(files, n);
	rsc = rs;
	assert_int_equal(vgl_prefilter_derive(&rsc, 1, NULL, NULL, &pf), 0);
	tl.ctx = vgl_match_ctx_new(rs);
	assert_non_null(tl.ctx);
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		for (size_t i = 0; i < pf->k[kinds[k]].ncomm; i++)
			assert_true(add_comm(&tl, pf->k[kinds[k]].comm[i].comm));
	for (size_t i = 0; i < rs->nrules; i++)
		if (rs->rules[i].ast)
			add_comms(rs->rules[i].ast, &tl);
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		const struct vgl_pf_kind *pk = &pf->k[kinds[k]];

		for (size_t i = 0; i < pk->n; i++)
			around(rs, pf, kinds[k], &pk->e[i], &tl);
		for (size_t i = 0; i < pk->nsub; i++)
			around_sub(rs, pf, kinds[k], pk->sub[i].s, &tl);
		for (size_t i = 0; i < rs->nrules; i++)
			if (rs->rules[i].ast)
				around_contains(rs, pf, kinds[k], rs->rules[i].ast, &tl);
		for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
			one(rs, pf, kinds[k], plain[i], plain[i], &tl);
		printf("%s: %-7s filtered=%d process names %zu substrings %zu; opens dropped %zu, "
		       "passed %zu\n",
		       set, vgl_kind_info[kinds[k]].name, pk->filtered, pk->ncomm, pk->nsub,
		       tl.dropped[kinds[k]], tl.passed[kinds[k]]);
	}
	assert_true(tl.dropped[VGL_EV_OPENAT] > 0);
	/* what most opens on a host are: a read by a process no rule names */
	if (vgl_prefilter_pass(pf, VGL_EV_OPENAT, "/tmp/pf/nothing", "/tmp/pf/nothing",
			       VGL_PFC_READ | VGL_PFC_OK, "cat"))
		fail_msg("%s: a read of /tmp/pf/nothing by cat passes", set);
	/* paths no rule names: a write (the stock files' `fd.name contains
	 * "fish_read_history"`, the sandbox's `fd.directory = /`), a read
	 * through "../" (their `contains "id_rsa"`) */
	if (vgl_prefilter_pass(pf, VGL_EV_OPENAT, "/tmp/pf/nothing", "/tmp/pf/nothing",
			       VGL_PFC_WRITE | VGL_PFC_OK, "cat"))
		fail_msg("%s: a write of /tmp/pf/nothing by cat passes", set);
	if (vgl_prefilter_pass(pf, VGL_EV_OPENAT, "/tmp/pf/nothing", "/tmp/../tmp/pf/nothing",
			       VGL_PFC_READ | VGL_PFC_OK | VGL_PFC_DOTDOT, "cat"))
		fail_msg("%s: a read of /tmp/../tmp/pf/nothing by cat passes", set);
	vgl_match_ctx_free(tl.ctx);
	vgl_prefilter_free(pf);
	vgl_ruleset_free(rs);
}

static void test_default_rules(void **state)
{
	struct pfu_files f;

	(void)state;
	pfu_default_files(&f);
	differential("default rules", f.files, f.n);
}

static void test_stock_rules(void **state)
{
	struct pfu_files f;

	(void)state;
	pfu_stock_files(&f);
	differential("falco_rules.yaml", f.files, 1);
	differential("all three stock files", f.files, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_rules),
		cmocka_unit_test(test_stock_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
