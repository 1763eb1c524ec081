// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink socket.  Requests go out with NLM_F_ACK (doit) or
 * NLM_F_DUMP; replies are read until the ACK, the error or NLMSG_DONE.
 * A refusal keeps its errno and extack message so that the caller can
 * print it as iproute2 does: "Error: <message>."
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "nl.h"

#define NETNS_RUN_DIR	"/run/netns"

/* Like "ip -n NAME": NAME in /run/netns, or a path such as
 * /proc/PID/ns/net.
 */
static int netns_enter(const char *name)
{
	char path[PATH_MAX];
	int fd, n;

	if (strchr(name, '/'))
		n = snprintf(path, sizeof(path), "%s", name);
	else
		n = snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", name);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		fprintf(stderr, "roamctl: network namespace name too long\n");
		return EXIT_FAIL;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr,
			"roamctl: cannot open network namespace \"%s\": %m\n",
			name);
		return EXIT_FAIL;
	}
	if (setns(fd, CLONE_NEWNET)) {
		fprintf(stderr,
			"roamctl: cannot enter network namespace \"%s\": %m\n",
			name);
		close(fd);
		return EXIT_FAIL;
	}
	close(fd);
	return 0;
}

struct parse_ctx {
	const struct nlattr **tb;
	unsigned int max;
};

static int parse_cb(const struct nlattr *attr, void *data)
{
	struct parse_ctx *ctx = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type <= ctx->max)
		ctx->tb[type] = attr;
	return MNL_CB_OK;
}

int nl_parse_msg(const struct nlmsghdr *nlh, const struct nlattr **tb,
		 unsigned int max)
{
	struct parse_ctx ctx = { .tb = tb, .max = max };

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct genlmsghdr))
		return -1;
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), parse_cb,
			      &ctx) == MNL_CB_OK ? 0 : -1;
}

int nl_parse_nested(const struct nlattr *nest, const struct nlattr **tb,
		    unsigned int max)
{
	struct parse_ctx ctx = { .tb = tb, .max = max };

	return mnl_attr_parse_nested(nest, parse_cb, &ctx) == MNL_CB_OK ?
	       0 : -1;
}

/* The first top-level attribute of a type, e.g. the ROAM_A_CONN nest. */
const struct nlattr *nl_msg_nest(const struct nlmsghdr *nlh, uint16_t type)
{
	const struct nlattr *attr;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct genlmsghdr))
		return NULL;
	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(attr) == type)
			return attr;
	}
	return NULL;
}

/* Any unsigned integer attribute, whatever its width. */
bool nl_get_uint(const struct nlattr *a, uint64_t *val)
{
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;

	if (!a)
		return false;
	switch (mnl_attr_get_payload_len(a)) {
	case 1:
		memcpy(&u8, mnl_attr_get_payload(a), 1);
		*val = u8;
		return true;
	case 2:
		memcpy(&u16, mnl_attr_get_payload(a), 2);
		*val = u16;
		return true;
	case 4:
		memcpy(&u32, mnl_attr_get_payload(a), 4);
		*val = u32;
		return true;
	case 8:
		memcpy(val, mnl_attr_get_payload(a), 8);
		return true;
	}
	return false;
}

bool nl_get_in6(const struct nlattr *a, struct in6_addr *addr)
{
	if (!a || mnl_attr_get_payload_len(a) < sizeof(*addr))
		return false;
	memcpy(addr, mnl_attr_get_payload(a), sizeof(*addr));
	return true;
}

bool nl_get_sockaddr(const struct nlattr *a, struct sockaddr_roam *sa)
{
	if (!a || mnl_attr_get_payload_len(a) < sizeof(*sa))
		return false;
	memcpy(sa, mnl_attr_get_payload(a), sizeof(*sa));
	return true;
}

static struct nlmsghdr *genl_req(struct nl *nl, uint16_t type, uint8_t cmd,
				 uint8_t version, uint16_t flags)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;

	memset(nl->req, 0, sizeof(nl->req));
	nlh = mnl_nlmsg_put_header(nl->req);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = version;
	return nlh;
}

/* A request of the roam family: a dump, or a doit that is acked. */
struct nlmsghdr *nl_req(struct nl *nl, uint8_t cmd, bool dump)
{
	return genl_req(nl, nl->family, cmd, ROAM_GENL_VERSION,
			dump ? NLM_F_DUMP : NLM_F_ACK);
}

static int extack_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		tb[type] = attr;
	return MNL_CB_OK;
}

/* The extack message of an error or done message, whose TLVs start at
 * offset off of its payload.
 */
static void nl_extack(struct nl *nl, const struct nlmsghdr *nlh, size_t off)
{
	const struct nlattr *tb[NLMSGERR_ATTR_MAX + 1] = { NULL };

	nl->errmsg[0] = '\0';
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (MNL_NLMSG_HDRLEN + MNL_ALIGN(off) >= nlh->nlmsg_len)
		return;
	mnl_attr_parse(nlh, off, extack_attr_cb, tb);
	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(nl->errmsg, sizeof(nl->errmsg), "%s",
			 mnl_attr_get_str(tb[NLMSGERR_ATTR_MSG]));
}

static void print_ext_ack_msg(bool is_err, const char *msg)
{
	size_t n = strlen(msg);

	fprintf(stderr, "%s: %s%s\n", is_err ? "Error" : "Warning", msg,
		n && msg[n - 1] == '.' ? "" : ".");
}

void nl_perror(const struct nl *nl)
{
	print_ext_ack_msg(true, nl->errmsg[0] ? nl->errmsg :
						strerror(nl->err));
}

/* NLMSG_ERROR: an ack (error 0, maybe with a warning) or a refusal. */
static int nl_error(struct nl *nl, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t off = sizeof(*e);

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e)) {
		fprintf(stderr, "roamctl: truncated netlink error message\n");
		return EXIT_FAIL;
	}
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) &&
	    e->msg.nlmsg_len >= MNL_NLMSG_HDRLEN)
		off += e->msg.nlmsg_len - MNL_NLMSG_HDRLEN;
	nl_extack(nl, nlh, off);
	if (!e->error) {
		if (nl->errmsg[0])
			print_ext_ack_msg(false, nl->errmsg);
		return 0;
	}
	nl->err = e->error < 0 ? -e->error : e->error;
	return EXIT_KERNEL;
}

/* NLMSG_DONE ends a dump; a dump that failed half way carries the error. */
static int nl_done(struct nl *nl, const struct nlmsghdr *nlh)
{
	int err = 0;

	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(err))
		memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
	nl_extack(nl, nlh, sizeof(err));
	if (err >= 0) {
		if (nl->errmsg[0])
			print_ext_ack_msg(false, nl->errmsg);
		return 0;
	}
	nl->err = -err;
	return EXIT_KERNEL;
}

#define NL_MORE	(-1)

/* One datagram of replies to request seq: NL_MORE until the last one. */
static int nl_run(struct nl *nl, size_t len, uint16_t type, unsigned int seq,
		  nl_msg_cb cb, void *data, bool *intr)
{
	const struct nlmsghdr *nlh = (const void *)nl->rxbuf;
	int n = len;

	for (; mnl_nlmsg_ok(nlh, n); nlh = mnl_nlmsg_next(nlh, &n)) {
		if (!mnl_nlmsg_portid_ok(nlh, nl->portid) ||
		    !mnl_nlmsg_seq_ok(nlh, seq))
			continue;	/* an answer to an earlier request */
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
			*intr = true;
		switch (nlh->nlmsg_type) {
		case NLMSG_NOOP:
			continue;
		case NLMSG_ERROR:
			return nl_error(nl, nlh);
		case NLMSG_DONE:
			return nl_done(nl, nlh);
		case NLMSG_OVERRUN:
			fprintf(stderr, "roamctl: netlink overrun\n");
			return EXIT_FAIL;
		}
		if (nlh->nlmsg_type != type)
			continue;
		if (cb && cb(nlh, data) != MNL_CB_OK)
			return EXIT_FAIL;
	}
	return NL_MORE;
}

/*
 * Sends req and reads the replies, calling cb on each.  Returns 0,
 * EXIT_KERNEL if the kernel refused (nl->err and nl->errmsg tell why,
 * nothing printed), or EXIT_FAIL with a message printed; nl->dump_intr
 * says whether a dump was interrupted (NLM_F_DUMP_INTR).  The request
 * buffer is wiped once sent: it may hold a key.
 */
int nl_talk(struct nl *nl, struct nlmsghdr *req, nl_msg_cb cb, void *data)
{
	uint16_t type = req->nlmsg_type;
	unsigned int seq = ++nl->seq;
	size_t len = req->nlmsg_len;
	bool intr = false;
	int ret = NL_MORE;
	ssize_t n;

	nl->err = 0;
	nl->errmsg[0] = '\0';
	nl->dump_intr = false;
	req->nlmsg_seq = seq;
	n = mnl_socket_sendto(nl->sock, req, len);
	explicit_bzero(req, len);
	if (n < 0) {
		fprintf(stderr, "roamctl: cannot send to netlink: %m\n");
		return EXIT_FAIL;
	}
	do {
		n = mnl_socket_recvfrom(nl->sock, nl->rxbuf, NL_RXBUF_SIZE);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr,
				"roamctl: cannot receive from netlink: %m\n");
			return EXIT_FAIL;
		}
		ret = nl_run(nl, n, type, seq, cb, data, &intr);
	} while (n < 0 || ret == NL_MORE);
	nl->dump_intr = intr;
	return ret;
}

/*
 * nl_talk, with a refusal printed as "Error: <extack message>." and an
 * interrupted dump said on stderr, as iproute2 does.
 */
int nl_request(struct nl *nl, struct nlmsghdr *req, nl_msg_cb cb,
	       void *data)
{
	int ret = nl_talk(nl, req, cb, data);

	if (ret == EXIT_KERNEL)
		nl_perror(nl);
	if (nl->dump_intr)
		fprintf(stderr,
			"Dump was interrupted and may be inconsistent.\n");
	return ret;
}

static int family_group_cb(struct nl *nl, const struct nlattr *grp)
{
	const struct nlattr *tb[CTRL_ATTR_MCAST_GRP_MAX + 1] = { NULL };
	uint64_t id;

	if (nl_parse_nested(grp, tb, CTRL_ATTR_MCAST_GRP_MAX) ||
	    !tb[CTRL_ATTR_MCAST_GRP_NAME] ||
	    mnl_attr_validate(tb[CTRL_ATTR_MCAST_GRP_NAME],
			      MNL_TYPE_NUL_STRING) ||
	    !nl_get_uint(tb[CTRL_ATTR_MCAST_GRP_ID], &id))
		return 0;
	if (!strcmp(mnl_attr_get_str(tb[CTRL_ATTR_MCAST_GRP_NAME]),
		    ROAM_GENL_MCGRP_EVENTS)) {
		nl->has_events = true;
		nl->events_group = id;
	}
	return 0;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[CTRL_ATTR_MAX + 1] = { NULL };
	const struct nlattr *grp;
	struct nl *nl = data;
	uint64_t id;

	if (nl_parse_msg(nlh, tb, CTRL_ATTR_MAX) ||
	    !nl_get_uint(tb[CTRL_ATTR_FAMILY_ID], &id) || !id ||
	    id > UINT16_MAX) {
		fprintf(stderr,
			"roamctl: malformed reply from the genetlink controller\n");
		return MNL_CB_ERROR;
	}
	nl->family = id;
	if (tb[CTRL_ATTR_MCAST_GROUPS]) {
		mnl_attr_for_each_nested(grp, tb[CTRL_ATTR_MCAST_GROUPS])
			family_group_cb(nl, grp);
	}
	return MNL_CB_OK;
}

static int nl_resolve_family(struct nl *nl)
{
	struct nlmsghdr *nlh;
	int ret;

	nlh = genl_req(nl, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, NLM_F_ACK);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, ROAM_GENL_NAME);
	ret = nl_talk(nl, nlh, family_cb, nl);
	if (ret == EXIT_KERNEL && nl->err == ENOENT) {
		fprintf(stderr,
			"roamctl: the roam module is not loaded (no generic netlink family \"%s\")\n",
			ROAM_GENL_NAME);
		return EXIT_FAIL;
	}
	if (ret == EXIT_KERNEL) {
		nl_perror(nl);
		return EXIT_FAIL;
	}
	if (!ret && !nl->family) {
		fprintf(stderr,
			"roamctl: no reply from the genetlink controller\n");
		return EXIT_FAIL;
	}
	return ret;
}

/* Enters the -n namespace, opens the socket and finds "roam". */
int nl_open(struct nl *nl)
{
	int one = 1;
	int ret;

	memset(nl, 0, sizeof(*nl));
	if (opt_netns) {
		ret = netns_enter(opt_netns);
		if (ret)
			return ret;
	}
	nl->rxbuf = malloc(NL_RXBUF_SIZE);
	if (!nl->rxbuf) {
		fprintf(stderr, "roamctl: out of memory\n");
		return EXIT_FAIL;
	}
	nl->sock = mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC);
	if (!nl->sock) {
		fprintf(stderr, "roamctl: cannot open a netlink socket: %m\n");
		goto err;
	}
	/* Both exist since Linux 4.12 (EXT_ACK) and 4.3 (CAP_ACK). */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		fprintf(stderr, "roamctl: cannot bind the netlink socket: %m\n");
		goto err;
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = time(NULL);
	ret = nl_resolve_family(nl);
	if (ret) {
		nl_close(nl);
		return ret;
	}
	return 0;
err:
	nl_close(nl);
	return EXIT_FAIL;
}

void nl_close(struct nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	nl->sock = NULL;
	/* Without NETLINK_CAP_ACK an error would echo a request's key. */
	if (nl->rxbuf)
		explicit_bzero(nl->rxbuf, NL_RXBUF_SIZE);
	free(nl->rxbuf);
	nl->rxbuf = NULL;
	explicit_bzero(nl->req, sizeof(nl->req));
}

/* Joins the "events" group, with a receive buffer for bursts. */
int nl_subscribe_events(struct nl *nl)
{
	int fd = mnl_socket_get_fd(nl->sock);
	int size = 4 * 1024 * 1024;
	unsigned int grp = nl->events_group;

	if (!nl->has_events) {
		fprintf(stderr,
			"roamctl: the roam module has no multicast group \"%s\"\n",
			ROAM_GENL_MCGRP_EVENTS);
		return EXIT_FAIL;
	}
	/* FORCE needs CAP_NET_ADMIN; otherwise net.core.rmem_max caps it. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (mnl_socket_setsockopt(nl->sock, NETLINK_ADD_MEMBERSHIP, &grp,
				  sizeof(grp)) < 0) {
		fprintf(stderr, "roamctl: cannot join the \"%s\" group: %m\n",
			ROAM_GENL_MCGRP_EVENTS);
		return EXIT_FAIL;
	}
	return 0;
}
