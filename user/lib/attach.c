// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Attach, detach and inspect the fast path on interfaces: see attach.h. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "attach.h"
#include "bpfobj.h"
#include "counters.h"
#include "log.h"
#include "xdpmx.skel.h" /* struct xdpmx: the object libxdp attaches from */

#define PIN_NAME(m) XDPMX_STR(m)

/* Every map pin the program creates (unpinned by a purge), and those of
 * maps older ABIs had (ABI 2's three directories), so that a purge also
 * clears what an older version left. */
static const char *const map_pins[] = {
	PIN_NAME(XDPMX_MAP_CFG),
	PIN_NAME(XDPMX_MAP_STATS),
	PIN_NAME(XDPMX_MAP_ROT),
	PIN_NAME(XDPMX_MAP_IFACES),
	PIN_NAME(XDPMX_MAP_ZONES),
	PIN_NAME(XDPMX_MAP_ZNAMES),
	PIN_NAME(XDPMX_MAP_DIR),
	PIN_NAME(XDPMX_MAP_BLOB0),
	PIN_NAME(XDPMX_MAP_BLOB1),
	PIN_NAME(XDPMX_MAP_BLOB2),
	PIN_NAME(XDPMX_MAP_BLOB3),
	PIN_NAME(XDPMX_MAP_BLOB4),
	"xdpmx_dir_s",
	"xdpmx_dir_m",
	"xdpmx_dir_l",
};

#define PROG_PIN_PREFIX "prog_"

const char *xdpmx_xdp_mode_name(enum xdpmx_xdp_mode m)
{
	switch (m) {
	case XDPMX_XDP_NATIVE:
		return "native";
	case XDPMX_XDP_GENERIC:
		return "generic";
	default:
		return "auto";
	}
}

static int seterr(struct xdpmx_attach_err *e, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int seterr(struct xdpmx_attach_err *e, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return ret;
}

static const char *pin_dir_or_default(const char *pin_dir)
{
	return pin_dir && *pin_dir ? pin_dir : XDPMX_PIN_DIR_DEFAULT;
}

static int pin_path(char *buf, size_t len, const char *dir, const char *name)
{
	int n = snprintf(buf, len, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* ---- capturing libbpf and libxdp output ------------------------------------ */

/*
 * While loading and attaching, libbpf and libxdp print what they tried
 * (libxdp's dispatcher attempt fails with EPERM on a locked-down kernel and
 * says so at warning level). Their output is held back here and shown only
 * at -v when the call succeeds; when it fails it is shown, with a verifier
 * log cut to its end, because that is the evidence.
 */
static struct {
	char *buf;
	size_t len, cap;
	libbpf_print_fn_t prev_bpf;
	libxdp_print_fn_t prev_xdp;
} capture;

static int capture_vprint(int level, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	if (level == LIBBPF_DEBUG && capture.prev_bpf)
		return capture.prev_bpf(LIBBPF_DEBUG, fmt, ap);
	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return 0;
	if (capture.len + (size_t)n + 1 > capture.cap) {
		size_t cap = capture.cap ? capture.cap : 8192;
		char *nb;

		while (cap < capture.len + (size_t)n + 1)
			cap *= 2;
		nb = realloc(capture.buf, cap);
		if (!nb)
			return 0;
		capture.buf = nb;
		capture.cap = cap;
	}
	vsnprintf(capture.buf + capture.len, capture.cap - capture.len, fmt, ap);
	capture.len += (size_t)n;
	return 0;
}

static int capture_bpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return capture_vprint(level, fmt, ap);
}

static int capture_xdp(enum libxdp_print_level level, const char *fmt, va_list ap)
{
	return capture_vprint((int)level, fmt, ap);
}

static void capture_begin(void)
{
	capture.len = 0;
	if (capture.buf)
		capture.buf[0] = '\0';
	capture.prev_bpf = libbpf_set_print(capture_bpf);
	capture.prev_xdp = libxdp_set_print(capture_xdp);
}

/* The verifier log in the captured text: between libbpf's BEGIN and END
 * markers. Returns its start and sets *len, or NULL. */
static const char *verifier_log(size_t *len)
{
	const char *b, *e;

	if (!capture.buf)
		return NULL;
	b = strstr(capture.buf, "-- BEGIN PROG LOAD LOG --");
	if (!b)
		return NULL;
	b = strchr(b, '\n');
	if (!b)
		return NULL;
	b++;
	e = strstr(b, "-- END PROG LOAD LOG --");
	if (!e)
		e = b + strlen(b);
	*len = (size_t)(e - b);
	return *len ? b : NULL;
}

/* The last `lines` lines of the text [s, s + len), whole lines. */
static const char *tail_lines(const char *s, size_t len, int lines, int *omitted)
{
	const char *p = s + len;
	int n = 0, total = 0;
	const char *q;

	for (q = s; q < s + len; q++)
		if (*q == '\n')
			total++;
	if (len && s[len - 1] != '\n')
		total++;
	while (p > s && p[-1] == '\n')
		p--;
	while (p > s) {
		if (p[-1] == '\n' && ++n == lines)
			break;
		p--;
	}
	*omitted = total > lines ? total - lines : 0;
	return p;
}

/* Restore the print functions and release what was captured: at info
 * level (visible by default) when show is set - a failed load, whose
 * verifier log is cut to its last lines unless -v - else at debug level. */
static void capture_end(bool show)
{
	enum xdpmx_log_level lvl = show ? XDPMX_LOG_INFO : XDPMX_LOG_DEBUG;
	const char *line, *end, *vlog, *keep = NULL;
	size_t vlen = 0;
	int omitted = 0;

	libbpf_set_print(capture.prev_bpf);
	libxdp_set_print(capture.prev_xdp);
	if (!capture.len)
		return;
	vlog = verifier_log(&vlen);
	if (vlog && xdpmx_log_get_level() < XDPMX_LOG_DEBUG)
		keep = tail_lines(vlog, vlen, 20, &omitted);
	for (line = capture.buf; *line; line = end + (*end == '\n')) {
		end = strchr(line, '\n');
		if (!end)
			end = line + strlen(line);
		if (keep && line >= vlog && line < keep) {
			if (line == vlog)
				xdpmx_log(lvl,
					  "... %d lines of the verifier log omitted (-v shows "
					  "all) ...",
					  omitted);
			continue;
		}
		xdpmx_log(lvl, "%.*s", (int)(end - line), line);
	}
}

/* The part of a verifier log that says why: its last lines up to and
 * including the "processed N insns" summary, for the error message. */
static void verifier_reason(char *buf, size_t len)
{
	const char *vlog, *t;
	size_t vlen;
	int omitted;

	buf[0] = '\0';
	vlog = verifier_log(&vlen);
	if (!vlog)
		return;
	t = tail_lines(vlog, vlen, 4, &omitted);
	snprintf(buf, len, "%.*s", (int)(vlen - (size_t)(t - vlog)), t);
	while (*buf && buf[strlen(buf) - 1] == '\n')
		buf[strlen(buf) - 1] = '\0';
}

/* ---- environment checks -------------------------------------------------- */

static bool have_cap(const struct __user_cap_data_struct d[2], int cap)
{
	return d[cap / 32].effective & (1U << (cap % 32));
}

#ifndef CAP_BPF
#define CAP_BPF 39
#endif

/* Whether this process may load and attach XDP programs: CAP_NET_ADMIN
 * and CAP_BPF (or CAP_SYS_ADMIN, which also covers it before 5.8). */
static int check_privileges(const char *action, struct xdpmx_attach_err *err)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct d[2] = {0};

	if (syscall(SYS_capget, &h, d))
		return 0; /* cannot tell: let the kernel decide */
	if (have_cap(d, CAP_NET_ADMIN) && (have_cap(d, CAP_BPF) || have_cap(d, CAP_SYS_ADMIN)))
		return 0;
	return seterr(err, -EPERM,
		      "Couldn't %s: not privileged: loading and attaching XDP programs needs "
		      "CAP_BPF and CAP_NET_ADMIN (CAP_SYS_ADMIN before Linux 5.8); run as root",
		      action);
}

static int privilege_error(struct xdpmx_attach_err *err, const char *action, int ret)
{
	return seterr(err, -EPERM,
		      "Couldn't %s: %s: needs CAP_BPF and CAP_NET_ADMIN (CAP_SYS_ADMIN before "
		      "Linux 5.8); run as root",
		      action, strerror(-ret));
}

/*
 * The pin directory must live on a bpffs. Finds the deepest existing
 * ancestor of dir (dir itself if it exists) and checks its filesystem.
 * -ENOMEDIUM with the mount command when it is not bpffs.
 */
static int check_bpffs(const char *dir, const char *action, struct xdpmx_attach_err *err)
{
	char path[PATH_MAX], mnt[PATH_MAX];
	struct statfs st;
	char *slash;

	if (snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path))
		return seterr(err, -ENAMETOOLONG, "Couldn't %s: pin directory '%s' is too long",
			      action, dir);
	for (;;) {
		if (!statfs(path, &st))
			break;
		if (errno != ENOENT)
			return seterr(err, -errno, "Couldn't %s: cannot inspect '%s': %s", action,
				      path, strerror(errno));
		slash = strrchr(path, '/');
		if (!slash || slash == path) {
			snprintf(path, sizeof(path), "/");
			if (statfs(path, &st))
				return seterr(err, -errno, "Couldn't %s: cannot inspect '/': %s",
					      action, strerror(errno));
			break;
		}
		*slash = '\0';
	}
	if ((unsigned long)st.f_type == BPF_FS_MAGIC)
		return 0;
	/* Suggest mounting where the pin directory expects bpffs: the
	 * conventional /sys/fs/bpf when it lives below it. */
	if (!strncmp(dir, "/sys/fs/bpf/", 12) || !strcmp(dir, "/sys/fs/bpf"))
		snprintf(mnt, sizeof(mnt), "/sys/fs/bpf");
	else
		snprintf(mnt, sizeof(mnt), "%s", path);
	return seterr(err, -ENOMEDIUM,
		      "Couldn't %s: pin directory '%s' is not on a BPF filesystem (bpffs is not "
		      "mounted at %s); mount it with: mount -t bpf bpf %s",
		      action, dir, mnt, mnt);
}

static int mkdir_p(const char *dir)
{
	char path[PATH_MAX];
	char *p;

	if (snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	for (p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(path, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

/* Take the pin directory's lock (flock on the directory, as xdp-tools'
 * prog_lock_acquire). Returns the fd to pass to unlock_dir(), or a
 * negative errno. Blocks while another loader or daemon holds it. */
static int lock_dir(const char *dir, const char *action, struct xdpmx_attach_err *err)
{
	int fd = open(dir, O_DIRECTORY | O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		if (errno == EACCES || errno == EPERM)
			return privilege_error(err, action, -errno);
		return seterr(err, -errno, "Couldn't %s: cannot open pin directory '%s': %s",
			      action, dir, strerror(errno));
	}
	while (flock(fd, LOCK_EX)) {
		if (errno == EINTR)
			continue;
		seterr(err, -errno, "Couldn't %s: cannot lock pin directory '%s': %s", action, dir,
		       strerror(errno));
		close(fd);
		return -errno;
	}
	return fd;
}

static void unlock_dir(int fd)
{
	if (fd >= 0) {
		flock(fd, LOCK_UN);
		close(fd);
	}
}

/* ---- pinned maps ---------------------------------------------------------- */

/* Open a map pinned in dir: fd, or -ENOENT when not pinned. */
static int open_pin(const char *dir, const char *name)
{
	char path[PATH_MAX];
	int fd, err;

	err = pin_path(path, sizeof(path), dir, name);
	if (err)
		return err;
	fd = bpf_obj_get(path);
	return fd < 0 ? -errno : fd;
}

/* The ABI version recorded in the pinned cfg (0: maps pinned but cfg not
 * written yet). -ENOENT when nothing is pinned. */
static int pinned_abi(const char *dir, uint32_t *abi)
{
	struct xdpmx_cfg cfg = {0};
	__u32 key = 0;
	int fd, ret = 0;

	fd = open_pin(dir, PIN_NAME(XDPMX_MAP_CFG));
	if (fd < 0)
		return fd;
	if (bpf_map_lookup_elem(fd, &key, &cfg))
		ret = -errno;
	close(fd);
	*abi = cfg.abi_version;
	return ret;
}

/* ---- MTU: XDP_TX cannot send a frame larger than the interface's ------------- */

/* IPv6 (40) or IPv4 (20) header, and UDP's (8), around the DNS message. */
#define IP6_UDP_HDRS 48
#define IP4_UDP_HDRS 28

int xdpmx_mtu_check(const char *ifname, uint16_t edns_size, char *msg, size_t size)
{
	struct ifreq ifr = {0};
	int fd, mtu;

	if (strlen(ifname) >= sizeof(ifr.ifr_name))
		return -ENODEV;
	memcpy(ifr.ifr_name, ifname, strlen(ifname));
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, SIOCGIFMTU, &ifr)) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	close(fd);
	mtu = ifr.ifr_mtu;
	if (edns_size + IP6_UDP_HDRS <= mtu)
		return 0;
	snprintf(msg, size,
		 "The fast path on %s may answer with frames its MTU of %d bytes does not allow: "
		 "EDNS size %u plus %d bytes of IPv6 and UDP headers is %u (%u over IPv4); "
		 "XDP_TX drops such frames and the client gets no answer. Set edns-size to "
		 "%d or less, or raise the MTU of %s",
		 ifname, mtu, edns_size, IP6_UDP_HDRS, edns_size + IP6_UDP_HDRS,
		 edns_size + IP4_UDP_HDRS, mtu > IP6_UDP_HDRS + 512 ? mtu - IP6_UDP_HDRS : 512,
		 ifname);
	return 1;
}

/* Warn when the EDNS size of the maps pinned in dir makes answers too large
 * for ifname. */
static void warn_mtu(const char *ifname, const char *dir)
{
	struct xdpmx_cfg cfg = {0};
	char msg[512];
	__u32 key = 0;
	int fd = open_pin(dir, PIN_NAME(XDPMX_MAP_CFG));

	if (fd < 0)
		return;
	if (!bpf_map_lookup_elem(fd, &key, &cfg) && cfg.edns_size &&
	    xdpmx_mtu_check(ifname, cfg.edns_size, msg, sizeof(msg)) == 1)
		pr_warn("%s", msg);
	close(fd);
}

static int check_abi(const char *dir, const char *action, struct xdpmx_attach_err *err)
{
	uint32_t abi = 0;
	int ret = pinned_abi(dir, &abi);

	if (ret == -ENOENT)
		return 0;
	if (ret == -EPERM || ret == -EACCES)
		return privilege_error(err, action, ret);
	if (ret)
		return seterr(err, ret,
			      "Couldn't %s: cannot read the configuration map pinned in "
			      "'%s': %s",
			      action, dir, strerror(-ret));
	if (abi && abi != XDPMX_ABI_VERSION)
		return seterr(err, -EPROTO,
			      "Couldn't %s: ABI mismatch: the maps pinned in '%s' have ABI version "
			      "%u, this build has ABI version %u; unload it everywhere and remove "
			      "the pins with 'xdpmx-loader unload --all --purge --pin-dir %s', or "
			      "use the matching build",
			      action, dir, abi, XDPMX_ABI_VERSION, dir);
	return 0;
}

/* The ifaces map pinned in dir, or -ENOENT. */
static int open_ifaces(const char *dir)
{
	return open_pin(dir, PIN_NAME(XDPMX_MAP_IFACES));
}

static int read_slot(int fd, uint32_t slot, struct xdpmx_iface *v)
{
	memset(v, 0, sizeof(*v));
	return bpf_map_lookup_elem(fd, &slot, v) ? -errno : 0;
}

static int write_slot(int fd, uint32_t slot, const struct xdpmx_iface *v)
{
	return bpf_map_update_elem(fd, &slot, v, BPF_ANY) ? -errno : 0;
}

/* The id of the program pinned at path, or 0. */
static uint32_t pinned_prog_id(const char *dir, const char *ifname)
{
	struct bpf_prog_info info = {0};
	__u32 len = sizeof(info);
	char name[64];
	uint32_t id = 0;
	int fd;

	snprintf(name, sizeof(name), PROG_PIN_PREFIX "%s", ifname);
	fd = open_pin(dir, name);
	if (fd < 0)
		return 0;
	if (!bpf_obj_get_info_by_fd(fd, &info, &len))
		id = info.id;
	close(fd);
	return id;
}

static int unpin_prog(const char *dir, const char *ifname)
{
	char name[64], path[PATH_MAX];
	int err;

	snprintf(name, sizeof(name), PROG_PIN_PREFIX "%s", ifname);
	err = pin_path(path, sizeof(path), dir, name);
	if (err)
		return err;
	if (unlink(path) && errno != ENOENT)
		return -errno;
	return 0;
}

static int pin_prog(int prog_fd, const char *dir, const char *ifname)
{
	char name[64], path[PATH_MAX];
	int err;

	err = unpin_prog(dir, ifname);
	if (err)
		return err;
	snprintf(name, sizeof(name), PROG_PIN_PREFIX "%s", ifname);
	err = pin_path(path, sizeof(path), dir, name);
	if (err)
		return err;
	return bpf_obj_pin(prog_fd, path) ? -errno : 0;
}

/* Zero the counters of one slot: a new interface starts from 0. */
static int zero_slot_counters(int stats_fd, uint32_t slot)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *zero;
	uint32_t key;
	int c, ret = 0;

	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	zero = calloc((size_t)ncpu, sizeof(*zero));
	if (!zero)
		return -ENOMEM;
	for (c = 0; c < XDPMX_CNT__MAX && !ret; c++) {
		key = slot * XDPMX_CNT__MAX + (uint32_t)c;
		if (bpf_map_update_elem(stats_fd, &key, zero, BPF_ANY))
			ret = -errno;
	}
	free(zero);
	return ret;
}

/* Sum the per-CPU counters of every slot. */
static int read_all_counters(int stats_fd, uint64_t (*out)[XDPMX_CNT__MAX])
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *vals;
	uint32_t s, c, key;
	int i, ret = 0;

	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	vals = calloc((size_t)ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (s = 0; s < XDPMX_IFACE_MAX && !ret; s++) {
		for (c = 0; c < XDPMX_CNT__MAX; c++) {
			key = s * XDPMX_CNT__MAX + c;
			if (bpf_map_lookup_elem(stats_fd, &key, vals)) {
				ret = -errno;
				break;
			}
			out[s][c] = 0;
			for (i = 0; i < ncpu; i++)
				out[s][c] += vals[i];
		}
	}
	free(vals);
	return ret;
}

/* ---- what runs on an interface -------------------------------------------- */

/* The XDP state of an interface as libxdp sees it. */
struct xdp_state {
	struct xdp_multiprog *mp; /* NULL: nothing attached */
	bool legacy;
	enum xdp_attach_mode mode;
	uint32_t main_id; /* legacy: the program; else the dispatcher */
};

static int xdp_state_get(int ifindex, struct xdp_state *st)
{
	struct xdp_multiprog *mp;
	long e;

	memset(st, 0, sizeof(*st));
	mp = xdp_multiprog__get_from_ifindex(ifindex);
	e = libxdp_get_error(mp);
	if (e == -ENOENT || (!e && !mp))
		return 0;
	if (e)
		return (int)e;
	st->mp = mp;
	st->legacy = xdp_multiprog__is_legacy(mp);
	st->mode = xdp_multiprog__attach_mode(mp);
	if (xdp_multiprog__main_prog(mp))
		st->main_id = xdp_program__id(xdp_multiprog__main_prog(mp));
	return 0;
}

static void xdp_state_put(struct xdp_state *st)
{
	xdp_multiprog__close(st->mp);
	st->mp = NULL;
}

/* The component program with this id (dispatcher mode), or NULL. */
static struct xdp_program *find_component(const struct xdp_state *st, uint32_t id)
{
	struct xdp_program *p = NULL;

	if (!st->mp || st->legacy || !id)
		return NULL;
	while ((p = xdp_multiprog__next_prog(p, st->mp)))
		if (xdp_program__id(p) == id)
			return p;
	return NULL;
}

/* Whether program id runs on the interface (as the single program, or as a
 * component of the dispatcher). */
static bool runs(const struct xdp_state *st, uint32_t id)
{
	if (!id || !st->mp)
		return false;
	if (st->legacy)
		return st->main_id == id;
	return find_component(st, id) != NULL;
}

static enum xdpmx_xdp_mode mode_from_libxdp(enum xdp_attach_mode m)
{
	return m == XDP_MODE_NATIVE ? XDPMX_XDP_NATIVE : XDPMX_XDP_GENERIC;
}

static uint32_t mode_to_flags(enum xdpmx_xdp_mode m)
{
	return m == XDPMX_XDP_NATIVE ? XDP_FLAGS_DRV_MODE : XDP_FLAGS_SKB_MODE;
}

static enum xdpmx_xdp_mode mode_from_flags(uint32_t f)
{
	return f == XDP_FLAGS_DRV_MODE ? XDPMX_XDP_NATIVE : XDPMX_XDP_GENERIC;
}

/* The slot recorded for an interface: by ifindex, else by name (the
 * interface was re-created). -ENOENT if none. */
static int find_slot(int ifaces_fd, uint32_t ifindex, const char *ifname, uint32_t *slot,
		     struct xdpmx_iface *rec)
{
	struct xdpmx_iface v;
	uint32_t s;
	int by_name = -1;

	for (s = 0; s < XDPMX_IFACE_MAX; s++) {
		if (read_slot(ifaces_fd, s, &v) || !v.ifindex)
			continue;
		if (ifindex && v.ifindex == ifindex) {
			*slot = s;
			*rec = v;
			return 0;
		}
		if (by_name < 0 && !strncmp(v.name, ifname, sizeof(v.name)))
			by_name = (int)s;
	}
	if (by_name < 0)
		return -ENOENT;
	*slot = (uint32_t)by_name;
	return read_slot(ifaces_fd, *slot, rec);
}

/* A slot for a new interface: a free one, else one whose program is no
 * longer attached where it was recorded (a stale record). */
static int alloc_slot(int ifaces_fd, uint32_t *slot)
{
	struct xdpmx_iface v;
	struct xdp_state st;
	uint32_t s;

	for (s = 0; s < XDPMX_IFACE_MAX; s++) {
		if (!read_slot(ifaces_fd, s, &v) && !v.ifindex) {
			*slot = s;
			return 0;
		}
	}
	for (s = 0; s < XDPMX_IFACE_MAX; s++) {
		bool alive;

		if (read_slot(ifaces_fd, s, &v))
			continue;
		if (xdp_state_get((int)v.ifindex, &st))
			continue;
		alive = runs(&st, v.prog_id);
		xdp_state_put(&st);
		if (!alive) {
			pr_debug("reusing stale interface slot %u (was %s, ifindex %u)", s, v.name,
				 v.ifindex);
			*slot = s;
			return 0;
		}
	}
	return -ENOSPC;
}

/* ---- attach ---------------------------------------------------------------- */

/* Attach prog through libxdp in one mode. */
static int libxdp_attach(struct xdp_program *prog, int ifindex, enum xdpmx_xdp_mode m)
{
	return xdp_program__attach(prog, ifindex,
				   m == XDPMX_XDP_NATIVE ? XDP_MODE_NATIVE : XDP_MODE_SKB, 0);
}

/*
 * Replace the single program attached in mode m by prog_fd atomically
 * (XDP_FLAGS_REPLACE: the kernel swaps them only if old is still the one
 * attached, so there is no instant without a program). libxdp has no call
 * for this in single-program mode; it attaches with the same syscall.
 */
static int replace_legacy(int ifindex, int prog_fd, uint32_t old_id, enum xdpmx_xdp_mode m)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, o);
	int old_fd, ret;

	old_fd = bpf_prog_get_fd_by_id(old_id);
	if (old_fd < 0)
		return -errno;
	o.old_prog_fd = old_fd;
	ret = bpf_xdp_attach(ifindex, prog_fd, mode_to_flags(m) | XDP_FLAGS_REPLACE, &o);
	close(old_fd);
	return ret;
}

static void fill_prog_info(uint32_t prog_id, struct xdpmx_iface_info *info)
{
	struct bpf_prog_info pi = {0};
	__u32 len = sizeof(pi), ids[32], i;
	int fd;

	fd = bpf_prog_get_fd_by_id(prog_id);
	if (fd < 0)
		return;
	pi.nr_map_ids = sizeof(ids) / sizeof(ids[0]);
	pi.map_ids = (__u64)(unsigned long)ids;
	if (!bpf_obj_get_info_by_fd(fd, &pi, &len)) {
		for (i = 0; i < sizeof(pi.tag); i++)
			snprintf(info->tag + 2 * i, 3, "%02x", pi.tag[i]);
		info->n_maps = pi.nr_map_ids < 32 ? pi.nr_map_ids : 32;
		memcpy(info->map_ids, ids, info->n_maps * sizeof(ids[0]));
	}
	close(fd);
}

static const char *prog_name_of(const struct xdp_state *st)
{
	const char *n = st->mp && xdp_multiprog__main_prog(st->mp)
				? xdp_program__name(xdp_multiprog__main_prog(st->mp))
				: NULL;

	return n ? n : "?";
}

/* --port and --edns-size only initialise new maps: say so when the pinned
 * configuration, shared by every interface, differs from what was asked. */
static void warn_cfg_kept(const struct xdpmx_bpfobj *bo, const struct xdpmx_attach_opts *opts,
			  const char *dir)
{
	struct xdpmx_cfg cfg = {0};
	__u32 key = 0;

	if (bo->cfg_written || (!opts->dns_port && !opts->edns_size) ||
	    bpf_map_lookup_elem(bo->fds.cfg, &key, &cfg))
		return;
	if (opts->dns_port && opts->dns_port != ntohs(cfg.dns_port))
		pr_warn("--port %u not applied: the maps pinned in %s serve port %u on every "
			"interface; 'unload --all --purge' and load again to change it",
			opts->dns_port, dir, ntohs(cfg.dns_port));
	if (opts->edns_size && opts->edns_size != cfg.edns_size)
		pr_warn("--edns-size %u not applied: the maps pinned in %s use %u on every "
			"interface; 'unload --all --purge' and load again to change it",
			opts->edns_size, dir, cfg.edns_size);
}

/* Turn a failed load into a message (the captured log is still there). */
static int load_error(struct xdpmx_attach_err *err, const char *ifname, int ret)
{
	char why[1600];

	verifier_reason(why, sizeof(why));
	if (*why)
		return seterr(
			err, -EINVAL,
			"Couldn't load the XDP program for %s: the verifier rejected it; end of "
			"the verifier log (-v shows all of it):\n%s",
			ifname, why);
	if (ret == -EPROTO)
		return seterr(
			err, ret,
			"Couldn't load the XDP program for %s: the pinned maps or the object "
			"file do not fit this build (ABI %d) or these options, as said above; "
			"'xdpmx-loader unload --all --purge' removes the old pins",
			ifname, XDPMX_ABI_VERSION);
	if (ret == -EPERM || ret == -EACCES) {
		char action[64];

		snprintf(action, sizeof(action), "load the XDP program for %s", ifname);
		return privilege_error(err, action, ret);
	}
	if (!*err->msg)
		seterr(err, ret, "Couldn't load the XDP program for %s: %s", ifname,
		       strerror(-ret));
	return ret;
}

int xdpmx_attach(const char *ifname, const struct xdpmx_attach_opts *opts,
		 struct xdpmx_iface_info *info, struct xdpmx_attach_err *err)
{
	const char *dir = pin_dir_or_default(opts->pin_dir);
	struct xdpmx_bpfobj_opts bo_opts = {0};
	struct xdpmx_bpfobj *bo = NULL;
	struct xdp_program *prog = NULL;
	struct xdpmx_iface rec = {0}, old_rec = {0};
	struct xdp_state st = {0};
	enum xdpmx_xdp_mode got = XDPMX_XDP_NATIVE;
	char action[64];
	uint32_t slot = 0, old_pinned;
	bool have_rec = false, attached = false, created_dir, ours;
	int ifindex, lock = -1, ifaces_fd = -1, ret;
	struct stat sb;

	memset(info, 0, sizeof(*info));
	err->msg[0] = '\0';
	snprintf(action, sizeof(action), "load xdpmx on %s", ifname);
	if (strlen(ifname) >= sizeof(rec.name))
		return seterr(err, -ENODEV, "Couldn't %s: no such interface (name too long)",
			      action);
	ifindex = (int)if_nametoindex(ifname);
	if (!ifindex)
		return seterr(err, -ENODEV, "Couldn't %s: no such interface", action);
	ret = check_privileges(action, err);
	if (ret)
		return ret;
	ret = check_bpffs(dir, action, err);
	if (ret)
		return ret;
	created_dir = stat(dir, &sb) != 0;
	ret = mkdir_p(dir);
	if (ret)
		return seterr(err, ret, "Couldn't %s: cannot create pin directory '%s': %s", action,
			      dir, strerror(-ret));
	lock = lock_dir(dir, action, err);
	if (lock < 0)
		return lock;
	ret = check_abi(dir, action, err);
	if (ret)
		goto out;

	/* What runs there now, and is it ours? */
	ret = xdp_state_get(ifindex, &st);
	if (ret) {
		seterr(err, ret, "Couldn't %s: cannot query its XDP programs: %s", action,
		       strerror(-ret));
		goto out;
	}
	ifaces_fd = open_ifaces(dir);
	if (ifaces_fd >= 0 && !find_slot(ifaces_fd, (uint32_t)ifindex, ifname, &slot, &old_rec))
		have_rec = true;
	old_pinned = pinned_prog_id(dir, ifname);
	ours = (have_rec && old_rec.ifindex == (uint32_t)ifindex && runs(&st, old_rec.prog_id)) ||
	       runs(&st, old_pinned);
	if (ours && !opts->force) {
		snprintf(info->name, sizeof(info->name), "%s", ifname);
		info->ifindex = (uint32_t)ifindex;
		info->slot = slot;
		info->prog_id = runs(&st, old_rec.prog_id) ? old_rec.prog_id : old_pinned;
		info->mode = mode_from_libxdp(st.mode);
		info->multiprog = !st.legacy;
		info->attached = true;
		info->already = true;
		fill_prog_info(info->prog_id, info);
		warn_mtu(ifname, dir);
		ret = 0;
		goto out;
	}
	if (st.mp && st.legacy && !ours && !opts->force) {
		ret = seterr(err, -EEXIST,
			     "Couldn't %s: it already runs another XDP program ('%s', id %u, %s "
			     "mode) and this kernel allows only one (libxdp's dispatcher is "
			     "unavailable); unload that program first, or replace it with --force",
			     action, prog_name_of(&st), st.main_id,
			     st.mode == XDP_MODE_NATIVE ? "native" : "generic");
		goto out;
	}
	if (!have_rec || old_rec.ifindex != (uint32_t)ifindex) {
		if (ifaces_fd >= 0 && !have_rec) {
			ret = alloc_slot(ifaces_fd, &slot);
			if (ret) {
				seterr(err, ret,
				       "Couldn't %s: all %d interface slots are in use; unload "
				       "xdpmx from an interface first",
				       action, XDPMX_IFACE_MAX);
				goto out;
			}
		}
		have_rec = false; /* a new record: its counters start at 0 */
	}

	/* Load an instance for this slot, sharing the pinned maps. */
	bo_opts.obj_path = opts->obj_path ? opts->obj_path : xdpmx_bpfobj_default_path();
	bo_opts.pin_dir = dir;
	bo_opts.iface_slot = slot;
	bo_opts.dns_port = opts->dns_port;
	bo_opts.edns_size = opts->edns_size;
	bo_opts.zones_max = opts->cap.zones;
	memcpy(bo_opts.dir_max, opts->cap.dir, sizeof(bo_opts.dir_max));
	memcpy(bo_opts.blob_max, opts->cap.blob, sizeof(bo_opts.blob_max));
	capture_begin();
	ret = xdpmx_bpfobj_open(&bo_opts, &bo);
	if (ret) {
		ret = load_error(err, ifname, ret);
		capture_end(true); /* the verifier log is the evidence */
		goto out;
	}

	warn_cfg_kept(bo, opts, dir);

	/* Attach, through libxdp, or atomically over what --force replaces. */
	{
		DECLARE_LIBXDP_OPTS(xdp_program_opts, xo, .obj = bo->skel->obj);

		prog = xdp_program__create(&xo);
	}
	ret = (int)libxdp_get_error(prog);
	if (ret) {
		prog = NULL;
		capture_end(false);
		seterr(err, ret, "Couldn't %s: libxdp cannot use the program: %s", action,
		       strerror(-ret));
		goto out;
	}
	if (st.mp && st.legacy && opts->force &&
	    (opts->mode == XDPMX_XDP_AUTO || opts->mode == mode_from_libxdp(st.mode))) {
		got = mode_from_libxdp(st.mode);
		ret = replace_legacy(ifindex, bo->prog_fd, st.main_id, got);
		if (!ret) {
			info->replaced = true;
			info->replaced_id = st.main_id;
		}
	} else {
		if (st.mp && opts->force) {
			/* Another mode was asked for (the kernel cannot swap
			 * modes atomically), or our old instance sits in the
			 * dispatcher: take the old one off first. */
			struct xdp_program *old =
				find_component(&st, old_rec.prog_id ? old_rec.prog_id : old_pinned);

			if (st.legacy)
				ret = xdp_multiprog__detach(st.mp);
			else if (old)
				ret = xdp_program__detach(old, ifindex, st.mode, 0);
			else
				ret = 0;
			if (ret) {
				capture_end(false);
				seterr(err, ret,
				       "Couldn't %s: cannot detach the program it runs: %s", action,
				       strerror(-ret));
				goto out;
			}
			info->replaced = st.legacy || old;
			info->replaced_id = st.legacy ? st.main_id : old ? xdp_program__id(old) : 0;
		}
		if (opts->mode == XDPMX_XDP_AUTO) {
			got = XDPMX_XDP_NATIVE;
			ret = libxdp_attach(prog, ifindex, got);
			if (ret == -EOPNOTSUPP) {
				pr_debug("%s refused native XDP; trying generic", ifname);
				got = XDPMX_XDP_GENERIC;
				ret = libxdp_attach(prog, ifindex, got);
			}
		} else {
			got = opts->mode;
			ret = libxdp_attach(prog, ifindex, got);
		}
	}
	if (ret) {
		capture_end(false); /* libxdp's attempts: -v shows them */
		if (ret == -EOPNOTSUPP && got == XDPMX_XDP_NATIVE)
			seterr(err, ret,
			       "Couldn't %s in native mode: its driver does not support native "
			       "XDP; use --mode generic (or --mode auto)",
			       action);
		else if (ret == -EPERM || ret == -EACCES)
			privilege_error(err, action, ret);
		else if (ret == -EBUSY || ret == -EEXIST)
			seterr(err, -EEXIST,
			       "Couldn't %s: another XDP program is attached (%s); unload it "
			       "first, or use --force",
			       action, strerror(-ret));
		else
			seterr(err, ret, "Couldn't %s in %s mode: %s", action,
			       xdpmx_xdp_mode_name(got), strerror(-ret));
		ret = ret == -EBUSY ? -EEXIST : ret;
		goto out;
	}
	attached = true;
	capture_end(false);

	/* Which way did libxdp attach it, and with which id? */
	xdp_state_put(&st);
	ret = xdp_state_get(ifindex, &st);
	if (ret || !st.mp) {
		seterr(err, ret ? ret : -ENOENT,
		       "Couldn't %s: the program is not visible on the interface after "
		       "attaching",
		       action);
		ret = ret ? ret : -ENOENT;
		goto out;
	}
	info->multiprog = !st.legacy;
	info->mode = mode_from_libxdp(st.mode);
	info->prog_id = info->replaced ? 0 : xdp_program__id(prog);
	if (!info->prog_id || (st.legacy && info->prog_id != st.main_id)) {
		struct bpf_prog_info pi = {0};
		__u32 len = sizeof(pi);

		if (!bpf_obj_get_info_by_fd(bo->prog_fd, &pi, &len))
			info->prog_id = pi.id;
	}

	/* Keep it across our exit, and record it for status and counters. */
	ret = pin_prog(xdp_program__fd(prog) >= 0 ? xdp_program__fd(prog) : bo->prog_fd, dir,
		       ifname);
	if (ret) {
		if (ret == -EPERM || ret == -EACCES)
			privilege_error(err, action, ret);
		else
			seterr(err, ret, "Couldn't %s: cannot pin the program in '%s': %s", action,
			       dir, strerror(-ret));
		goto out;
	}
	rec.ifindex = (uint32_t)ifindex;
	rec.prog_id = info->prog_id;
	rec.mode = mode_to_flags(info->mode);
	snprintf(rec.name, sizeof(rec.name), "%s", ifname);
	if (!have_rec) {
		ret = zero_slot_counters(bo->fds.stats, slot);
		if (ret) {
			seterr(err, ret, "Couldn't %s: cannot reset the counters of slot %u: %s",
			       action, slot, strerror(-ret));
			goto out_unpin;
		}
	}
	ret = write_slot(bo->fds.ifaces, slot, &rec);
	if (ret) {
		seterr(err, ret, "Couldn't %s: cannot record it in the interfaces map: %s", action,
		       strerror(-ret));
		goto out_unpin;
	}
	snprintf(info->name, sizeof(info->name), "%s", ifname);
	info->ifindex = (uint32_t)ifindex;
	info->slot = slot;
	info->attached = true;
	fill_prog_info(info->prog_id, info);
	warn_mtu(ifname, dir);
	goto out;

out_unpin:
	unpin_prog(dir, ifname);
out:
	if (ret && attached) {
		/* Leave the interface as we found it where we can: what we
		 * attached comes off (a replaced foreign program is gone). */
		int r = st.mp && st.legacy ? xdp_multiprog__detach(st.mp)
					   : xdp_program__detach(prog, ifindex, st.mode, 0);

		if (r)
			pr_warn("Couldn't detach the program from %s after the failure: %s", ifname,
				strerror(-r));
	}
	xdp_state_put(&st);
	xdp_program__close(prog);
	xdpmx_bpfobj_close(bo);
	if (ifaces_fd >= 0)
		close(ifaces_fd);
	if (ret && created_dir)
		rmdir(dir); /* only if still empty: the first load failed */
	unlock_dir(lock);
	return ret;
}

/* ---- detach ----------------------------------------------------------------- */

int xdpmx_detach(const char *ifname, const char *pin_dir, struct xdpmx_attach_err *err)
{
	const char *dir = pin_dir_or_default(pin_dir);
	struct xdpmx_iface rec = {0};
	struct xdp_state st = {0};
	struct stat sb;
	char action[64];
	uint32_t slot = 0, pinned_id;
	bool have_rec = false, detached = false;
	int ifindex, lock = -1, ifaces_fd = -1, ret;

	err->msg[0] = '\0';
	snprintf(action, sizeof(action), "unload xdpmx from %s", ifname);
	ifindex = (int)if_nametoindex(ifname);
	ret = check_bpffs(dir, action, err);
	if (ret)
		return ret;
	if (stat(dir, &sb)) {
		if (!ifindex)
			return seterr(err, -ENODEV, "Couldn't %s: no such interface", action);
		return seterr(err, -ENOENT,
			      "%s: xdpmx is not loaded there (nothing is pinned in "
			      "'%s'), nothing to unload",
			      ifname, dir);
	}
	ret = check_privileges(action, err);
	if (ret)
		return ret;
	lock = lock_dir(dir, action, err);
	if (lock < 0)
		return lock;

	ifaces_fd = open_ifaces(dir);
	if (ifaces_fd >= 0 && !find_slot(ifaces_fd, (uint32_t)ifindex, ifname, &slot, &rec))
		have_rec = true;
	pinned_id = pinned_prog_id(dir, ifname);
	if (!ifindex && !have_rec && !pinned_id) {
		ret = seterr(err, -ENODEV, "Couldn't %s: no such interface", action);
		goto out;
	}

	if (ifindex) {
		ret = xdp_state_get(ifindex, &st);
		if (ret) {
			seterr(err, ret, "Couldn't %s: cannot query its XDP programs: %s", action,
			       strerror(-ret));
			goto out;
		}
		if (st.legacy && (runs(&st, rec.prog_id) || runs(&st, pinned_id))) {
			ret = xdp_multiprog__detach(st.mp);
			detached = !ret;
		} else if (st.mp && !st.legacy) {
			struct xdp_program *p = find_component(&st, rec.prog_id);

			if (!p)
				p = find_component(&st, pinned_id);
			if (p) {
				ret = xdp_program__detach(p, ifindex, st.mode, 0);
				detached = !ret;
			}
		}
		if (ret) {
			if (ret == -EPERM || ret == -EACCES)
				privilege_error(err, action, ret);
			else
				seterr(err, ret, "Couldn't %s: detaching failed: %s", action,
				       strerror(-ret));
			goto out;
		}
	}

	/* Drop the records whether or not it was still attached. */
	if (have_rec) {
		struct xdpmx_iface zero = {0};

		ret = write_slot(ifaces_fd, slot, &zero);
		if (ret) {
			seterr(err, ret, "Couldn't %s: cannot free its interface slot: %s", action,
			       strerror(-ret));
			goto out;
		}
	}
	ret = unpin_prog(dir, ifname);
	if (ret) {
		seterr(err, ret, "Couldn't %s: cannot remove the program pin: %s", action,
		       strerror(-ret));
		goto out;
	}
	if (!detached && st.mp) {
		ret = seterr(err, -EEXIST,
			     "Couldn't %s: it runs another XDP program ('%s', id %u), not xdpmx; "
			     "left it in place",
			     action, prog_name_of(&st), st.main_id);
		goto out;
	}
	if (!detached)
		ret = seterr(err, -ENOENT, "%s: xdpmx is not loaded there, nothing to unload%s",
			     ifname, have_rec || pinned_id ? " (removed its stale record)" : "");
out:
	xdp_state_put(&st);
	if (ifaces_fd >= 0)
		close(ifaces_fd);
	unlock_dir(lock);
	return ret;
}

/* ---- status -------------------------------------------------------------- */

int xdpmx_read_counters(const char *pin_dir, uint64_t (*out)[XDPMX_CNT__MAX],
			struct xdpmx_attach_err *err)
{
	const char *dir = pin_dir_or_default(pin_dir);
	int fd, ret;

	err->msg[0] = '\0';
	ret = check_bpffs(dir, "read the counters", err);
	if (ret)
		return ret;
	ret = check_abi(dir, "read the counters", err);
	if (ret)
		return ret;
	fd = open_pin(dir, PIN_NAME(XDPMX_MAP_STATS));
	if (fd == -ENOENT)
		return seterr(err, fd,
			      "Couldn't read the counters: nothing is pinned in '%s' (is "
			      "xdpmx loaded?)",
			      dir);
	if (fd == -EPERM || fd == -EACCES)
		return privilege_error(err, "read the counters", fd);
	if (fd < 0)
		return seterr(err, fd, "Couldn't read the counters pinned in '%s': %s", dir,
			      strerror(-fd));
	ret = read_all_counters(fd, out);
	close(fd);
	if (ret)
		return seterr(err, ret, "Couldn't read the counters pinned in '%s': %s", dir,
			      strerror(-ret));
	return 0;
}

int xdpmx_attach_list(const char *pin_dir, struct xdpmx_iface_info **out, size_t *n,
		      struct xdpmx_attach_err *err)
{
	const char *dir = pin_dir_or_default(pin_dir);
	uint64_t(*counters)[XDPMX_CNT__MAX];
	struct xdpmx_iface_info *list;
	struct xdpmx_iface v;
	size_t k = 0;
	uint32_t s;
	int fd, ret, c;

	*out = NULL;
	*n = 0;
	err->msg[0] = '\0';
	ret = check_bpffs(dir, "list the interfaces", err);
	if (ret)
		return ret;
	fd = open_ifaces(dir);
	if (fd == -ENOENT)
		return seterr(err, fd,
			      "Couldn't list the interfaces: nothing is pinned in '%s' "
			      "(is xdpmx loaded?)",
			      dir);
	if (fd == -EPERM || fd == -EACCES)
		return privilege_error(err, "list the interfaces", fd);
	if (fd < 0)
		return seterr(err, fd, "Couldn't list the interfaces pinned in '%s': %s", dir,
			      strerror(-fd));
	counters = calloc(XDPMX_IFACE_MAX, sizeof(*counters));
	list = calloc(XDPMX_IFACE_MAX, sizeof(*list));
	if (!counters || !list) {
		free(counters);
		free(list);
		close(fd);
		return seterr(err, -ENOMEM, "Couldn't list the interfaces: out of memory");
	}
	ret = xdpmx_read_counters(dir, counters, err);
	if (ret == -EPROTO) {
		/* Still list the interfaces; the caller reports the
		 * mismatch through its own check. */
		memset(counters, 0, XDPMX_IFACE_MAX * sizeof(*counters));
	} else if (ret) {
		free(counters);
		free(list);
		close(fd);
		return ret;
	}
	err->msg[0] = '\0';
	for (s = 0; s < XDPMX_IFACE_MAX; s++) {
		struct xdpmx_iface_info *i = &list[k];
		struct xdp_state st;

		if (read_slot(fd, s, &v) || !v.ifindex)
			continue;
		snprintf(i->name, sizeof(i->name), "%.*s", (int)sizeof(v.name), v.name);
		i->ifindex = v.ifindex;
		i->slot = s;
		i->prog_id = v.prog_id;
		i->mode = mode_from_flags(v.mode);
		if (!xdp_state_get((int)v.ifindex, &st)) {
			i->attached = runs(&st, v.prog_id);
			i->multiprog = st.mp && !st.legacy;
			xdp_state_put(&st);
		}
		fill_prog_info(v.prog_id, i);
		memcpy(i->counters, counters[s], sizeof(i->counters));
		for (c = 0; c < XDPMX_CNT__MAX; c++) {
			if (xdpmx_counter_info[c].group == XDPMX_CG_HIT)
				i->hits += counters[s][c];
			else if (xdpmx_counter_info[c].group == XDPMX_CG_MISS)
				i->misses += counters[s][c];
		}
		k++;
	}
	close(fd);
	free(counters);
	*out = list;
	*n = k;
	return 0;
}

/* ---- purge ------------------------------------------------------------------ */

int xdpmx_purge(const char *pin_dir, struct xdpmx_attach_err *err)
{
	const char *dir = pin_dir_or_default(pin_dir);
	char path[PATH_MAX], busy[512] = "";
	struct xdpmx_iface v;
	struct dirent *de;
	size_t i, nb = 0;
	DIR *d;
	int lock, fd, ret = 0;
	uint32_t s;

	err->msg[0] = '\0';
	ret = check_bpffs(dir, "purge the pins", err);
	if (ret)
		return ret;
	lock = lock_dir(dir, "purge the pins", err);
	if (lock < 0)
		return lock == -ENOENT ? 0 : lock;

	fd = open_ifaces(dir);
	for (s = 0; fd >= 0 && s < XDPMX_IFACE_MAX; s++) {
		struct xdp_state st;

		if (read_slot(fd, s, &v) || !v.ifindex)
			continue;
		if (xdp_state_get((int)v.ifindex, &st))
			continue;
		if (runs(&st, v.prog_id))
			nb += (size_t)snprintf(busy + nb, nb < sizeof(busy) ? sizeof(busy) - nb : 0,
					       "%s%.*s", nb ? ", " : "", (int)sizeof(v.name),
					       v.name);
		xdp_state_put(&st);
	}
	if (fd >= 0)
		close(fd);
	if (nb) {
		ret = seterr(err, -EBUSY,
			     "Couldn't remove the pins in '%s': xdpmx still runs on %s; unload "
			     "those too (or use --all)",
			     dir, busy);
		goto out;
	}
	for (i = 0; i < sizeof(map_pins) / sizeof(map_pins[0]); i++) {
		if (pin_path(path, sizeof(path), dir, map_pins[i]))
			continue;
		if (unlink(path) && errno != ENOENT) {
			ret = seterr(err, -errno, "Couldn't remove pin '%s': %s", path,
				     strerror(errno));
			goto out;
		}
	}
	d = opendir(dir);
	while (d && (de = readdir(d))) {
		if (strncmp(de->d_name, PROG_PIN_PREFIX, strlen(PROG_PIN_PREFIX)))
			continue;
		if (!pin_path(path, sizeof(path), dir, de->d_name) && unlink(path) &&
		    errno != ENOENT) {
			ret = seterr(err, -errno, "Couldn't remove pin '%s': %s", path,
				     strerror(errno));
			break;
		}
	}
	if (d)
		closedir(d);
	if (!ret && rmdir(dir) && errno != ENOTEMPTY && errno != EEXIST)
		pr_debug("kept pin directory %s: %s", dir, strerror(errno));
out:
	unlock_dir(lock);
	return ret;
}
