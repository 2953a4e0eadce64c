// SPDX-License-Identifier: Apache-2.0
/* passwd / group tables with change detection. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "state/users.h"
#include "state/util.h"

struct table {
	char *text; /* the file, ':' and '\n' replaced by NUL */
	struct vgl_user *ents;
	size_t n;
};

struct file {
	char *path;
	bool passwd;
	struct stat st; /* what was loaded; st_ino 0: nothing yet */
	struct table cur, prev;
};

struct vgl_userdb {
	struct file files[2]; /* passwd, group */
	uint64_t check_ns, next_check, loads;
	uint64_t version; /* changes with every load (util.h) */
};

static void table_free(struct table *t)
{
	free(t->text);
	free(t->ents);
	memset(t, 0, sizeof(*t));
}

/* Split one line into at most @max fields at ':'; returns the count. */
static size_t fields(char *line, char **out, size_t max)
{
	size_t n = 0;

	out[n++] = line;
	while (n < max && (line = strchr(line, ':'))) {
		*line++ = '\0';
		out[n++] = line;
	}
	return n;
}

static int cmp_user(const void *a, const void *b)
{
	const struct vgl_user *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->name < y->name ? -1 : x->name > y->name; /* file order: first wins */
}

/* Parse "name:pw:uid:gid:gecos:home:shell" or "name:pw:gid:members" lines. */
static int parse(char *text, bool passwd, struct table *ret)
{
	size_t cap = 64, nf, want = passwd ? 7 : 4;
	char *line = text, *nl, *f[7], *end;
	struct vgl_user *ents = malloc(cap * sizeof(*ents)), *ne;
	unsigned long id;

	ret->n = 0;
	for (; ents && line && *line && ret->n < VGL_USERS_MAX; line = nl) {
		if ((nl = strchr(line, '\n')))
			*nl++ = '\0';
		nf = fields(line, f, want);
		if (nf < 3 || !*f[0] || f[0][0] == '#')
			continue;
		id = strtoul(f[2], &end, 10);
		if (end == f[2] || *end || id > UINT32_MAX)
			continue;
		if (ret->n == cap) {
			ne = realloc(ents, (cap *= 2) * sizeof(*ents));
			if (!ne)
				break;
			ents = ne;
		}
		ents[ret->n++] =
			(struct vgl_user){ (uint32_t)id, f[0], passwd && nf > 5 ? f[5] : NULL,
					   passwd && nf > 6 ? f[6] : NULL };
	}
	if (!ents || (line && *line && ret->n < VGL_USERS_MAX)) {
		free(ents);
		return -ENOMEM;
	}
	qsort(ents, ret->n, sizeof(*ents), cmp_user);
	ret->ents = ents;
	ret->text = text;
	return 0;
}

static int load(struct file *f, const struct stat *st)
{
	struct table t = { 0 };
	size_t len;
	char *text;
	int rc = vgl_read_file(f->path, VGL_USERS_FILE_MAX, &text, &len);

	if (rc)
		return rc;
	if ((rc = parse(text, f->passwd, &t))) {
		free(text);
		return rc;
	}
	table_free(&f->prev);
	f->prev = f->cur;
	f->cur = t;
	f->st = *st;
	return 0;
}

static bool changed(const struct stat *a, const struct stat *b)
{
	return a->st_ino != b->st_ino || a->st_dev != b->st_dev || a->st_size != b->st_size ||
	       a->st_mtim.tv_sec != b->st_mtim.tv_sec || a->st_mtim.tv_nsec != b->st_mtim.tv_nsec;
}

int vgl_userdb_refresh(struct vgl_userdb *db, uint64_t now_ns)
{
	struct stat st;
	int rc = 0, i;

	if (now_ns < db->next_check)
		return 0;
	db->next_check = now_ns + db->check_ns;
	for (i = 0; i < 2; i++) {
		struct file *f = &db->files[i];

		if (stat(f->path, &st)) {
			if (errno != ENOENT)
				rc = -errno;
			continue;
		}
		if (f->st.st_ino && !changed(&f->st, &st))
			continue;
		if (load(f, &st)) {
			rc = rc ?: -EIO;
		} else {
			db->loads++;
			db->version = vgl_state_version_next();
		}
	}
	return rc;
}

struct vgl_userdb *vgl_userdb_new(const char *passwd_path, const char *group_path,
				  uint64_t check_ns)
{
	struct vgl_userdb *db = calloc(1, sizeof(*db));

	if (!db)
		return NULL;
	db->files[0].path = strdup(passwd_path);
	db->files[0].passwd = true;
	db->files[1].path = strdup(group_path);
	db->check_ns = check_ns ? check_ns : VGL_USERS_CHECK_NS_DEFAULT;
	db->version = vgl_state_version_next();
	if (!db->files[0].path || !db->files[1].path) {
		vgl_userdb_free(db);
		return NULL;
	}
	vgl_userdb_refresh(db, 0);
	return db;
}

void vgl_userdb_free(struct vgl_userdb *db)
{
	int i;

	if (!db)
		return;
	for (i = 0; i < 2; i++) {
		free(db->files[i].path);
		table_free(&db->files[i].cur);
		table_free(&db->files[i].prev);
	}
	free(db);
}

static const struct vgl_user *find(const struct table *t, uint32_t id)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) { /* first entry with ents[i].id >= id */
		size_t mid = lo + (hi - lo) / 2;

		if (t->ents[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < t->n && t->ents[lo].id == id ? &t->ents[lo] : NULL;
}

const struct vgl_user *vgl_userdb_user(const struct vgl_userdb *db, uint32_t uid)
{
	return find(&db->files[0].cur, uid);
}

const struct vgl_user *vgl_userdb_group(const struct vgl_userdb *db, uint32_t gid)
{
	return find(&db->files[1].cur, gid);
}

uint64_t vgl_userdb_loads(const struct vgl_userdb *db)
{
	return db->loads;
}

uint64_t vgl_userdb_version(const struct vgl_userdb *db)
{
	return db->version;
}
