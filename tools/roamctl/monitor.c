// SPDX-License-Identifier: GPL-2.0
/*
 * roamctl monitor: prints the events of the "events" multicast group
 * (ROAM_CMD_EVENT), one line each, flushed at once; with -j, one JSON
 * object per line.  Runs until SIGINT or SIGTERM.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/signalfd.h>
#include <linux/genetlink.h>

#include "addr.h"
#include "nl.h"
#include "print.h"
#include "roamctl.h"

static void monitor_usage(FILE *f)
{
	fputs("Usage: roamctl monitor\n"
	      "Prints roam's events until interrupted, one line each:\n"
	      "  TYPE [cid LOCAL -> REMOTE] [local ADDR] [old ADDR] [new ADDR] [error ERRNO]\n"
	      "TYPE := { established | closed | path-changed | path-failed |\n"
	      "          listen-overflow }\n"
	      "With -j, one JSON object per line.\n", f);
}

static const char *event_name(unsigned int type, char *buf, size_t len)
{
	static const char *const names[] = {
		[ROAM_EV_ESTABLISHED]		= "established",
		[ROAM_EV_CLOSED]		= "closed",
		[ROAM_EV_PATH_CHANGED]		= "path-changed",
		[ROAM_EV_PATH_FAILED]		= "path-failed",
		[ROAM_EV_LISTEN_OVERFLOW]	= "listen-overflow",
	};

	if (type < ARRAY_SIZE(names) && names[type])
		return names[type];
	snprintf(buf, len, "event-%u", type);
	return buf;
}

static void print_event(const struct nlattr *nest)
{
	const struct nlattr *tb[ROAM_A_EV_MAX + 1] = { NULL };
	struct sockaddr_roam sa;
	const char *ename;
	char buf[32];
	uint64_t v;

	if (nl_parse_nested(nest, tb, ROAM_A_EV_MAX))
		return;
	print_obj_open(NULL);
	if (!nl_get_uint(tb[ROAM_A_EV_TYPE], &v))
		v = ROAM_EV_UNSPEC;
	print_str("event", "%s", event_name(v, buf, sizeof(buf)));
	if (nl_get_uint(tb[ROAM_A_EV_LOCAL_ID], &v))
		print_cid("local_id", " cid %s", v);
	if (nl_get_uint(tb[ROAM_A_EV_REMOTE_ID], &v))
		print_cid("remote_id", " -> %s", v);
	if (nl_get_sockaddr(tb[ROAM_A_EV_LOCAL], &sa))
		print_sockaddr("local", "local", &sa);
	if (nl_get_sockaddr(tb[ROAM_A_EV_OLD], &sa))
		print_sockaddr("old", "old", &sa);
	if (nl_get_sockaddr(tb[ROAM_A_EV_NEW], &sa))
		print_sockaddr("new", "new", &sa);
	if (nl_get_uint(tb[ROAM_A_EV_ERROR], &v)) {
		ename = v <= INT32_MAX ? strerrorname_np(v) : NULL;
		print_u64("error", NULL, v);
		if (ename)
			print_str("error_name", " error %s", ename);
		else
			print_u64(NULL, " error %" PRIu64, v);
	}
	print_text("\n");
	print_obj_close();
	fflush(stdout);
}

static void monitor_msgs(const struct nl *nl, const void *buf, size_t len)
{
	const struct nlmsghdr *nlh = buf;
	const struct genlmsghdr *genl;
	const struct nlattr *nest;
	int n = len;

	for (; mnl_nlmsg_ok(nlh, n); nlh = mnl_nlmsg_next(nlh, &n)) {
		if (nlh->nlmsg_type != nl->family ||
		    mnl_nlmsg_get_payload_len(nlh) < sizeof(*genl))
			continue;
		genl = mnl_nlmsg_get_payload(nlh);
		if (genl->cmd != ROAM_CMD_EVENT)
			continue;
		nest = nl_msg_nest(nlh, ROAM_A_EVENT);
		if (nest)
			print_event(nest);
	}
}

static int monitor_loop(struct nl *nl, int sfd)
{
	struct pollfd pfd[2] = {
		{ .fd = mnl_socket_get_fd(nl->sock), .events = POLLIN },
		{ .fd = sfd, .events = POLLIN },
	};
	ssize_t n;

	for (;;) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "roamctl: poll: %m\n");
			return EXIT_FAIL;
		}
		if (pfd[1].revents)
			return EXIT_OK;		/* SIGINT or SIGTERM */
		if (!pfd[0].revents)
			continue;
		n = mnl_socket_recvfrom(nl->sock, nl->rxbuf, NL_RXBUF_SIZE);
		if (n < 0) {
			if (errno == ENOBUFS) {
				fprintf(stderr,
					"roamctl: events lost (receive buffer overrun)\n");
				continue;
			}
			if (errno == EINTR || errno == EAGAIN)
				continue;
			fprintf(stderr,
				"roamctl: cannot receive from netlink: %m\n");
			return EXIT_FAIL;
		}
		monitor_msgs(nl, nl->rxbuf, n);
		if (ferror(stdout))
			return EXIT_FAIL;	/* main reports it */
	}
}

int do_monitor(int argc, char **argv)
{
	sigset_t mask;
	struct nl nl;
	int sfd, ret;

	if (argc > 0) {
		if (is_help(argv[0])) {
			monitor_usage(stdout);
			return EXIT_OK;
		}
		return unknown_command("monitor", argv[0], monitor_usage);
	}

	/* Signals arrive on a descriptor, so none is lost between polls. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &mask, NULL)) {
		fprintf(stderr, "roamctl: sigprocmask: %m\n");
		return EXIT_FAIL;
	}
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sfd < 0) {
		fprintf(stderr, "roamctl: signalfd: %m\n");
		return EXIT_FAIL;
	}
	ret = nl_open(&nl);
	if (ret)
		goto out_sfd;
	ret = nl_subscribe_events(&nl);
	if (ret)
		goto out_nl;
	setvbuf(stdout, NULL, _IOLBF, 0);
	ret = monitor_loop(&nl, sfd);
out_nl:
	nl_close(&nl);
out_sfd:
	close(sfd);
	return ret;
}
