// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Opening and loading the fast-path object through its skeleton: see
 * bpfobj.h.
 *
 * An object file given by path replaces the skeleton's embedded ELF before
 * bpf_object__open_skeleton(), so the typed maps, programs and rodata of the
 * skeleton apply to it; a file of another build whose maps differ fails
 * there, and one of another ABI fails the xdpmx_abi check before loading.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/magic.h>

#include "xdpmx.skel.h"

#include "bpfobj.h"
#include "log.h"

#define N_MAPS (sizeof(struct xdpmx_fp_fds) / sizeof(int))

/* The skeleton's maps in the order of struct xdpmx_fp_fds. */
static void skel_maps(struct xdpmx *s, struct bpf_map *m[N_MAPS])
{
	struct bpf_map *all[] = {
		s->maps.XDPMX_MAP_CFG,	  s->maps.XDPMX_MAP_STATS, s->maps.XDPMX_MAP_ROT,
		s->maps.XDPMX_MAP_IFACES, s->maps.XDPMX_MAP_ZONES, s->maps.XDPMX_MAP_ZNAMES,
		s->maps.XDPMX_MAP_DIR,	  s->maps.XDPMX_MAP_BLOB0, s->maps.XDPMX_MAP_BLOB1,
		s->maps.XDPMX_MAP_BLOB2,  s->maps.XDPMX_MAP_BLOB3, s->maps.XDPMX_MAP_BLOB4,
	};

	_Static_assert(sizeof(all) / sizeof(all[0]) == N_MAPS, "one map per fd");
	memcpy(m, all, sizeof(all));
}

static int read_file(const char *path, void **data, size_t *size)
{
	struct stat st;
	ssize_t got = 0;
	uint8_t *buf;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		err = -errno;
		pr_err("Couldn't open BPF object %s: %s", path, strerror(-err));
		if (fd >= 0)
			close(fd);
		return err;
	}
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (got < st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)(st.st_size - got));

		if (r <= 0) {
			err = r ? -errno : -EIO;
			pr_err("Couldn't read BPF object %s: %s", path, strerror(-err));
			free(buf);
			close(fd);
			return err;
		}
		got += r;
	}
	close(fd);
	*data = buf;
	*size = (size_t)st.st_size;
	return 0;
}

/* mkdir -p of a pin directory, which must be on bpffs. */
static int prepare_pin_dir(const char *dir)
{
	char path[4096], *p;
	struct statfs sfs;

	if (strlen(dir) >= sizeof(path) - 32 || dir[0] != '/') {
		pr_err("Couldn't use pin directory '%s': not an absolute path of sane length", dir);
		return -EINVAL;
	}
	strcpy(path, dir);
	/* Walk up to the deepest existing ancestor: it must be bpffs. */
	for (;;) {
		if (!statfs(path, &sfs))
			break;
		if (errno != ENOENT)
			goto err;
		p = strrchr(path, '/');
		if (!p || p == path) {
			strcpy(path, "/");
			if (statfs(path, &sfs))
				goto err;
			break;
		}
		*p = '\0';
	}
	if (sfs.f_type != BPF_FS_MAGIC) {
		pr_err("Couldn't pin maps under %s: %s is not on bpffs (mount it: mount -t bpf bpf "
		       "/sys/fs/bpf)",
		       dir, path);
		return -ENOENT;
	}
	strcpy(path, dir);
	for (p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) && errno != EEXIST)
			goto err;
		*p = '/';
	}
	if (mkdir(path, 0700) && errno != EEXIST)
		goto err;
	return 0;
err : {
	int err = -errno;

	pr_err("Couldn't create pin directory %s: %s (at %s)", dir, strerror(-err), path);
	return err;
}
}

/*
 * For each map already pinned under dir: refuse another shape, and size the
 * map as the pinned one (or refuse a conflicting explicit size), so that
 * libbpf's reuse of pinned maps succeeds.
 */
static int match_pinned(struct bpf_map *m[N_MAPS], const char *dir, const uint32_t *want_max)
{
	for (size_t i = 0; i < N_MAPS; i++) {
		struct bpf_map_info info = {};
		uint32_t il = sizeof(info);
		char path[4200];
		int fd, err;

		snprintf(path, sizeof(path), "%s/%s", dir, bpf_map__name(m[i]));
		fd = bpf_obj_get(path);
		if (fd < 0) {
			if (errno == ENOENT)
				continue;
			err = -errno;
			pr_err("Couldn't open pinned map %s: %s", path, strerror(-err));
			return err;
		}
		err = bpf_obj_get_info_by_fd(fd, &info, &il) ? -errno : 0;
		close(fd);
		if (err) {
			pr_err("Couldn't read pinned map %s: %s", path, strerror(-err));
			return err;
		}
		if (info.type != bpf_map__type(m[i]) || info.key_size != bpf_map__key_size(m[i]) ||
		    info.value_size != bpf_map__value_size(m[i]) ||
		    info.map_flags != bpf_map__map_flags(m[i])) {
			pr_err("Couldn't reuse pinned map %s: pinned map %s does not match this "
			       "build (type %u, key %u, value %u, flags %#x; this build: %u, %u, "
			       "%u, %#x): unload with --purge",
			       path, bpf_map__name(m[i]), info.type, info.key_size, info.value_size,
			       info.map_flags, bpf_map__type(m[i]), bpf_map__key_size(m[i]),
			       bpf_map__value_size(m[i]), bpf_map__map_flags(m[i]));
			return -EPROTO;
		}
		if (want_max[i] && want_max[i] != info.max_entries) {
			pr_err("Couldn't reuse pinned map %s: it has %u entries, %u were asked "
			       "for: "
			       "unload with --purge to resize",
			       path, info.max_entries, want_max[i]);
			return -EPROTO;
		}
		if (info.max_entries != bpf_map__max_entries(m[i]) &&
		    (err = bpf_map__set_max_entries(m[i], info.max_entries)))
			return err;
	}
	return 0;
}

/* Initialise cfg when the maps are new; refuse maps of another ABI. */
static int init_cfg(struct xdpmx_bpfobj *o, const struct xdpmx_bpfobj_opts *opts)
{
	struct xdpmx_cfg cfg = {};
	uint32_t k = 0;
	int err;

	if (bpf_map_lookup_elem(o->fds.cfg, &k, &cfg)) {
		err = -errno;
		pr_err("Couldn't read map '%s': %s", XDPMX_STR(XDPMX_MAP_CFG), strerror(-err));
		return err;
	}
	if (cfg.abi_version == XDPMX_ABI_VERSION)
		return 0;
	if (cfg.abi_version) {
		pr_err("Couldn't use the maps pinned under %s: they carry ABI version %u, this "
		       "build %u: unload with --purge",
		       opts->pin_dir ? opts->pin_dir : "(none)", cfg.abi_version,
		       XDPMX_ABI_VERSION);
		return -EPROTO;
	}
	cfg.abi_version = XDPMX_ABI_VERSION;
	cfg.dns_port = htons(opts->dns_port ? opts->dns_port : XDPMX_DNS_PORT_DEFAULT);
	cfg.edns_size = opts->edns_size ? opts->edns_size : XDPMX_EDNS_SIZE_DEFAULT;
	if (bpf_map_update_elem(o->fds.cfg, &k, &cfg, BPF_ANY)) {
		err = -errno;
		pr_err("Couldn't write map '%s': %s", XDPMX_STR(XDPMX_MAP_CFG), strerror(-err));
		return err;
	}
	o->cfg_written = true;
	return 0;
}

static int check_opts(const struct xdpmx_bpfobj_opts *opts)
{
	if (opts->iface_slot >= XDPMX_IFACE_MAX) {
		pr_err("Couldn't load the BPF object: interface slot %u is not below %u",
		       opts->iface_slot, XDPMX_IFACE_MAX);
		return -EINVAL;
	}
	if (opts->edns_size && opts->edns_size < XDPMX_UDP_MIN) {
		pr_err("Couldn't load the BPF object: EDNS size %u is below %u", opts->edns_size,
		       XDPMX_UDP_MIN);
		return -EINVAL;
	}
	if (opts->dir_max[1] || opts->dir_max[2]) {
		pr_err("Couldn't load the BPF object: one directory since ABI 3: give its RRsets "
		       "as the first directory size only");
		return -EINVAL;
	}
	for (int c = 0; c < XDPMX_BLOB_CLASSES; c++) {
		if (opts->blob_max[c] > 0x10000000U) {
			pr_err("Couldn't load the BPF object: %u blobs of class %d do not fit a "
			       "blob reference (at most %u)",
			       opts->blob_max[c], c, 0x10000000U);
			return -EINVAL;
		}
	}
	return 0;
}

#ifndef XDPMX_BPF_OBJ_DIR
#define XDPMX_BPF_OBJ_DIR "/usr/local/lib/xdpmx"
#endif
#ifndef XDPMX_SBINDIR
#define XDPMX_SBINDIR "/usr/local/sbin"
#endif

const char *xdpmx_bpfobj_default_path(void)
{
	static const char installed[] = XDPMX_BPF_OBJ_DIR "/xdpmx.bpf.o";
	const char *env = getenv("XDPMX_BPF_OBJ");
	char exe[4096], *slash;
	ssize_t n;

	if (env && *env)
		return env;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return NULL;
	*slash = '\0';
	if (strcmp(exe, XDPMX_SBINDIR) || access(installed, R_OK))
		return NULL;
	return installed;
}

int xdpmx_bpfobj_open(const struct xdpmx_bpfobj_opts *opts, struct xdpmx_bpfobj **out)
{
	const char *what = opts && opts->obj_path ? opts->obj_path : "(embedded)";
	struct bpf_map *maps[N_MAPS];
	uint32_t want_max[N_MAPS] = {};
	struct xdpmx_bpfobj *o;
	size_t size = 0;
	int err;

	if (!opts || !out)
		return -EINVAL;
	err = check_opts(opts);
	if (err)
		return err;
	pr_debug("Loading the BPF object %s",
		 opts->obj_path ? opts->obj_path : "built into this binary");
	o = calloc(1, sizeof(*o));
	if (!o)
		return -ENOMEM;
	o->prog_fd = -1;
	o->skel = calloc(1, sizeof(*o->skel));
	if (!o->skel) {
		err = -ENOMEM;
		goto err;
	}
	if (opts->obj_path) {
		err = read_file(opts->obj_path, &o->obj_data, &size);
		if (err)
			goto err;
	}
	err = xdpmx__create_skeleton(o->skel);
	if (err) {
		pr_err("Couldn't create the skeleton of the BPF object: %s", strerror(-err));
		goto err;
	}
	if (o->obj_data) {
		o->skel->skeleton->data = o->obj_data;
		o->skel->skeleton->data_sz = size;
	}
	{
		LIBBPF_OPTS(bpf_object_open_opts, oo, .pin_root_path = opts->pin_dir);

		err = bpf_object__open_skeleton(o->skel->skeleton, &oo);
	}
	if (err) {
		pr_err("Couldn't open BPF object %s: %s (not an object of this build?)", what,
		       strerror(-err));
		goto err;
	}
	if (o->skel->rodata->xdpmx_abi != XDPMX_ABI_VERSION) {
		pr_err("Couldn't load BPF object %s: its ABI version is %u, this build's %u", what,
		       o->skel->rodata->xdpmx_abi, XDPMX_ABI_VERSION);
		err = -EPROTO;
		goto err;
	}
	o->skel->rodata->iface_slot = opts->iface_slot;

	skel_maps(o->skel, maps);
	want_max[4] = opts->zones_max;
	want_max[6] = opts->dir_max[0] ? xdpmx_fp_dir_slots(opts->dir_max[0]) : 0;
	for (int c = 0; c < XDPMX_BLOB_CLASSES; c++)
		want_max[7 + c] = opts->blob_max[c];
	for (size_t i = 0; i < N_MAPS; i++) {
		if (!opts->pin_dir && (err = bpf_map__set_pin_path(maps[i], NULL)))
			goto err;
		if (want_max[i] && (err = bpf_map__set_max_entries(maps[i], want_max[i])))
			goto err;
	}
	if (opts->pin_dir) {
		err = prepare_pin_dir(opts->pin_dir);
		if (!err)
			err = match_pinned(maps, opts->pin_dir, want_max);
		if (err)
			goto err;
	}

	err = xdpmx__load(o->skel);
	if (err) {
		if (err == -EPERM)
			pr_err("Couldn't load BPF object %s: permission denied (run as root, or "
			       "with "
			       "CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON)",
			       what);
		else
			pr_err("Couldn't load BPF object %s: %s (a verifier rejection shows its "
			       "log "
			       "above)",
			       what, strerror(-err));
		goto err;
	}
	o->prog = bpf_object__next_program(o->skel->obj, NULL);
	o->prog_fd = o->prog ? bpf_program__fd(o->prog) : -1;
	if (o->prog_fd < 0) {
		pr_err("Couldn't find the XDP program in BPF object %s", what);
		err = -ENOENT;
		goto err;
	}
	for (size_t i = 0; i < N_MAPS; i++)
		((int *)&o->fds)[i] = bpf_map__fd(maps[i]);
	err = init_cfg(o, opts);
	if (err)
		goto err;
	*out = o;
	return 0;
err:
	xdpmx_bpfobj_close(o);
	return err;
}

void xdpmx_bpfobj_close(struct xdpmx_bpfobj *o)
{
	if (!o)
		return;
	if (o->skel) {
		/* The skeleton does not own file data we put in it. */
		if (o->skel->skeleton && o->obj_data)
			o->skel->skeleton->data = NULL;
		xdpmx__destroy(o->skel);
	}
	free(o->obj_data);
	free(o);
}
