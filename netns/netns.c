/* Network namespace setup over rtnetlink (libmnl).
 *
 * Each call opens one NETLINK_ROUTE socket (SOCK_CLOEXEC), sends one
 * request with NLM_F_ACK, reads the ACK and closes the socket.  The socket
 * is not bound: the kernel binds it on the first send, which saves the
 * bind+getsockname pair of mnl_socket_bind().  Links are named in the
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
#include <libmnl/libmnl.h>
#include <stdbool.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

/* Requests carry an ifinfomsg and two short attributes; an ACK of an
 * error echoes the request.  A link dump of one device (RTM_GETLINK) is
 * larger: stats, xdp, per-queue data; give it room. */
#define NL_REQ_SIZE 1024
#define NL_ACK_SIZE 4096
#define NL_LINK_SIZE 16384

static void nl_closep(struct mnl_socket **nl)
{
	if (*nl) {
		int saved = errno;
		mnl_socket_close(*nl);
		errno = saved;
	}
}
#define cleanup_nl __attribute__((cleanup(nl_closep)))

static int nl_open(struct mnl_socket **out, lw_err *err)
{
	*out = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!*out)
		return lw_fail(err, errno, "opening a NETLINK_ROUTE socket");
	return 0;
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

/* An RTM_NEWLINK request for an existing link (no NLM_F_CREATE), by index
 * when index > 0, else by IFLA_IFNAME. */
static struct nlmsghdr *link_request(char *buf, uint32_t seq, int index)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifm;

	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = index;
	return nlh;
}

/* Send and read the reply: the ACK (cb == NULL) or one message for cb.
 * Returns 0, or -1 with errno (the kernel's error for a NACK). */
static int nl_transact(struct mnl_socket *nl, struct nlmsghdr *nlh, char *rbuf, size_t rlen,
		       mnl_cb_t cb, void *data)
{
	uint32_t seq = nlh->nlmsg_seq;
	ssize_t n;
	int r;

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	do {
		do
			n = mnl_socket_recvfrom(nl, rbuf, rlen);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			return -1;
		/* portid 0: the socket is autobound; seq still filters. */
		r = mnl_cb_run(rbuf, (size_t)n, seq, 0, cb, data);
	} while (r > MNL_CB_STOP);
	return r < 0 ? -1 : 0;
}

static int set_up(struct mnl_socket *nl, const char *name)
{
	char req[NL_REQ_SIZE] __attribute__((aligned(NLMSG_ALIGNTO)));
	char ack[NL_ACK_SIZE] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nlmsghdr *nlh = link_request(req, 1, 0);
	struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);

	ifm->ifi_change = IFF_UP;
	ifm->ifi_flags = IFF_UP;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return nl_transact(nl, nlh, ack, sizeof(ack), NULL, NULL);
}

int netns_link_up(const char *name, lw_err *err)
{
	cleanup_nl struct mnl_socket *nl = NULL;

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
	cleanup_nl struct mnl_socket *nl = NULL;

	if (nl_open(&nl, err) < 0)
		return lw_wrap(err, "bringing up lo");
	if (set_up(nl, "lo") < 0)
		return lw_fail(err, errno, "bringing up lo");
	return 0;
}

static int link_index_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifm;

	if (nlh->nlmsg_type != RTM_NEWLINK || mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifm))
		return MNL_CB_OK;
	ifm = mnl_nlmsg_get_payload(nlh);
	*(int *)data = ifm->ifi_index;
	return MNL_CB_STOP;
}

/* RTM_GETLINK by name on nl; the index, or -1 with errno. */
static int link_index(struct mnl_socket *nl, const char *name, uint32_t seq)
{
	char req[NL_REQ_SIZE] __attribute__((aligned(NLMSG_ALIGNTO)));
	char reply[NL_LINK_SIZE] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(req);
	struct ifinfomsg *ifm;
	int index = 0;

	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST; /* the reply is the answer; no ACK */
	nlh->nlmsg_seq = seq;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (nl_transact(nl, nlh, reply, sizeof(reply), link_index_cb, &index) < 0)
		return -1;
	if (index <= 0) {
		errno = ENODEV;
		return -1;
	}
	return index;
}

int netns_move_link(const char *host_name, const char *new_name, int netns_fd, lw_err *err)
{
	char req[NL_REQ_SIZE] __attribute__((aligned(NLMSG_ALIGNTO)));
	char ack[NL_ACK_SIZE] __attribute__((aligned(NLMSG_ALIGNTO)));
	cleanup_nl struct mnl_socket *nl = NULL;
	bool renaming = new_name && strcmp(new_name, host_name ? host_name : "") != 0;
	struct nlmsghdr *nlh;
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
	nlh = link_request(req, 2, index);
	mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)netns_fd);
	/* The kernel moves first (taking the link down), then renames
	 * inside the target namespace, so a name that exists only on the
	 * host does not collide. */
	mnl_attr_put_strz(nlh, IFLA_IFNAME, renaming ? new_name : host_name);
	if (nl_transact(nl, nlh, ack, sizeof(ack), NULL, NULL) < 0) {
		if (renaming)
			return lw_fail(err, errno, "moving link %s into the container as %s",
				       host_name, new_name);
		return lw_fail(err, errno, "moving link %s into the container", host_name);
	}
	return 0;
}
