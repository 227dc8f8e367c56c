/* Network namespace setup over rtnetlink.
 *
 * Plain netlink sockets, no library: the three requests here are a few
 * dozen bytes each, and without libmnl (Debian ships it only as a shared
 * library) the runtime links statically and starts faster.  Each call opens one NETLINK_ROUTE socket (SOCK_CLOEXEC), sends one
 * request with NLM_F_ACK, reads the ACK and closes the socket.  The socket
 * is not bound: the kernel binds it on the first send, which saves a
 * bind+getsockname pair.  Links are named in the
 * request (ifi_index 0 + IFLA_IFNAME) so the kernel resolves the name in
 * the same call: no if_nametoindex() round trip, no window in which the
 * name could point at another link.  netns_loopback_up() therefore costs
 * socket, sendto, recvfrom, close.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* also set by the Makefile */
#endif
#include "netns.h"

#include <errno.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Requests carry an ifinfomsg and two short attributes; an ACK of an
 * error echoes the request.  A link dump of one device (RTM_GETLINK) is
 * larger: stats, xdp, per-queue data; give it room. */
#define NL_REQ_SIZE 1024
#define NL_REPLY_SIZE 16384

/* A request being built: the header, then the ifinfomsg, then attributes. */
struct nl_req {
	union {
		struct nlmsghdr h;
		char buf[NL_REQ_SIZE];
	};
};

static void fd_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}
#define cleanup_nl __attribute__((cleanup(fd_closep)))

static int nl_open(int *out, lw_err *err)
{
	*out = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (*out < 0)
		return lw_fail(err, errno, "opening a NETLINK_ROUTE socket");
	return 0;
}

/* Append attribute TYPE with LEN bytes of DATA (the requests here are
 * small and fixed: NL_REQ_SIZE always has room). */
static void nl_put(struct nl_req *r, unsigned short type, const void *data, size_t len)
{
	struct rtattr *a = (struct rtattr *)(r->buf + NLMSG_ALIGN(r->h.nlmsg_len));

	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(a), data, len);
	r->h.nlmsg_len = NLMSG_ALIGN(r->h.nlmsg_len) + RTA_ALIGN(a->rta_len);
}

static void nl_put_str(struct nl_req *r, unsigned short type, const char *s)
{
	nl_put(r, type, s, strlen(s) + 1);
}

static void nl_put_u32(struct nl_req *r, unsigned short type, uint32_t v)
{
	nl_put(r, type, &v, sizeof(v));
}

static struct ifinfomsg *nl_ifinfo(struct nl_req *r)
{
	return NLMSG_DATA(&r->h);
}

/* A link request: TYPE (RTM_NEWLINK, RTM_GETLINK) with FLAGS, for the link
 * of INDEX when index > 0, else by an IFLA_IFNAME the caller adds. */
static void link_request(struct nl_req *r, uint16_t type, uint16_t flags, uint32_t seq, int index)
{
	memset(r->buf, 0, NLMSG_SPACE(sizeof(struct ifinfomsg)));
	r->h.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	r->h.nlmsg_type = type;
	r->h.nlmsg_flags = NLM_F_REQUEST | flags;
	r->h.nlmsg_seq = seq;
	nl_ifinfo(r)->ifi_family = AF_UNSPEC;
	nl_ifinfo(r)->ifi_index = index;
}

/* Send R and read replies until the one that answers it: an ACK or a NACK
 * (NLMSG_ERROR), or with *index set, an RTM_NEWLINK whose index is stored
 * there.  Replies from anything but the kernel, or to another sequence
 * number, are skipped.  The socket is not bound: the kernel binds it on
 * the first send.  Returns 0, or -1 with errno (the kernel's for a NACK). */
static int nl_transact(int nl, struct nl_req *r, int *index)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	char reply[NL_REPLY_SIZE] __attribute__((aligned(NLMSG_ALIGNTO)));
	ssize_t n;

	do
		n = sendto(nl, r->buf, r->h.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	for (;;) {
		struct sockaddr_nl from;
		socklen_t fl = sizeof(from);
		struct nlmsghdr *h;

		do
			n = recvfrom(nl, reply, sizeof(reply), MSG_TRUNC, (struct sockaddr *)&from, &fl);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			return -1;
		if (n > (ssize_t)sizeof(reply)) {
			errno = EMSGSIZE;
			return -1;
		}
		if (from.nl_pid != 0)
			continue;
		for (h = (struct nlmsghdr *)reply; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != r->h.nlmsg_seq)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);
				if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*e))) {
					errno = EBADMSG;
					return -1;
				}
				if (e->error == 0)
					return 0;
				errno = -e->error;
				return -1;
			}
			if (index && h->nlmsg_type == RTM_NEWLINK &&
			    h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct ifinfomsg))) {
				*index = ((const struct ifinfomsg *)NLMSG_DATA(h))->ifi_index;
				return 0;
			}
			if (h->nlmsg_type == NLMSG_DONE) {
				errno = ENODEV;
				return -1;
			}
		}
	}
}

static int check_ifname(const char *what, const char *name, lw_err *err)
{
	size_t n;

	if (!name || !*name)
		return lw_fail(err, EINVAL, "%s: empty interface name", what);
	n = strlen(name);
	if (n >= IFNAMSIZ)
		return lw_fail(err, EINVAL, "%s: interface name %s is longer than %d bytes", what,
			       name, IFNAMSIZ - 1);
	if (strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return lw_fail(err, EINVAL, "%s: invalid interface name %s", what, name);
	return 0;
}

static int set_up(int nl, const char *name)
{
	struct nl_req r;

	link_request(&r, RTM_NEWLINK, NLM_F_ACK, 1, 0);
	nl_ifinfo(&r)->ifi_change = IFF_UP;
	nl_ifinfo(&r)->ifi_flags = IFF_UP;
	nl_put_str(&r, IFLA_IFNAME, name);
	return nl_transact(nl, &r, NULL);
}

int netns_link_up(const char *name, lw_err *err)
{
	cleanup_nl int nl = -1;

	if (check_ifname("setting link up", name, err) < 0)
		return -1;
	if (nl_open(&nl, err) < 0)
		return lw_wrap(err, "setting link %s up", name);
	if (set_up(nl, name) < 0)
		return lw_fail(err, errno, "setting link %s up", name);
	return 0;
}

int netns_loopback_up(lw_err *err)
{
	cleanup_nl int nl = -1;

	if (nl_open(&nl, err) < 0)
		return lw_wrap(err, "bringing up lo");
	if (set_up(nl, "lo") < 0)
		return lw_fail(err, errno, "bringing up lo");
	return 0;
}

/* RTM_GETLINK by name on nl; the index, or -1 with errno. */
static int link_index(int nl, const char *name, uint32_t seq)
{
	struct nl_req r;
	int index = 0;

	link_request(&r, RTM_GETLINK, 0, seq, 0); /* the reply is the answer; no ACK */
	nl_put_u32(&r, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	nl_put_str(&r, IFLA_IFNAME, name);
	if (nl_transact(nl, &r, &index) < 0)
		return -1;
	if (index <= 0) {
		errno = ENODEV;
		return -1;
	}
	return index;
}

int netns_move_link(const char *host_name, const char *new_name, int netns_fd, lw_err *err)
{
	cleanup_nl int nl = -1;
	bool renaming = new_name && strcmp(new_name, host_name ? host_name : "") != 0;
	struct nl_req r;
	int index = 0;

	if (check_ifname("moving link", host_name, err) < 0)
		return -1;
	if (renaming && check_ifname("moving link", new_name, err) < 0)
		return -1;
	if (netns_fd < 0)
		return lw_fail(err, EBADF, "moving link %s: no network namespace fd", host_name);
	if (nl_open(&nl, err) < 0)
		return lw_wrap(err, "moving link %s", host_name);

	/* IFLA_IFNAME either names the link (index 0) or renames it, not
	 * both; a rename needs the index first. */
	if (renaming) {
		index = link_index(nl, host_name, 1);
		if (index < 0)
			return lw_fail(err, errno, "moving link %s: looking it up", host_name);
	}
	link_request(&r, RTM_NEWLINK, NLM_F_ACK, 2, index);
	nl_put_u32(&r, IFLA_NET_NS_FD, (uint32_t)netns_fd);
	/* The kernel moves first (taking the link down), then renames
	 * inside the target namespace, so a name that exists only on the
	 * host does not collide. */
	nl_put_str(&r, IFLA_IFNAME, renaming ? new_name : host_name);
	if (nl_transact(nl, &r, NULL) < 0) {
		if (renaming)
			return lw_fail(err, errno, "moving link %s into the container as %s",
				       host_name, new_name);
		return lw_fail(err, errno, "moving link %s into the container", host_name);
	}
	return 0;
}
