// SPDX-License-Identifier: GPL-2.0
/*
 * AF_ROAM sockets exist: creation of each type, SOL_SOCKET options, poll
 * and close on a fresh socket, and struct sockaddr_roam validation.
 */
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "roam_util.h"

TEST(stream_socket)
{
	int fd, flags;

	fd = socket(ksft_roam_family(), SOCK_STREAM, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, close(fd));

	fd = socket(ksft_roam_family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, fd);
	flags = fcntl(fd, F_GETFL);
	EXPECT_TRUE(flags & O_NONBLOCK);
	EXPECT_TRUE(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(0, close(fd));
}

TEST(unsupported_types)
{
	static const int types[] = { SOCK_DGRAM, SOCK_SEQPACKET, SOCK_RAW, SOCK_RDM };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(types); i++) {
		errno = 0;
		EXPECT_EQ(-1, socket(ksft_roam_family(), types[i], 0));
		EXPECT_EQ(ESOCKTNOSUPPORT, errno);
	}
}

TEST(unsupported_protocols)
{
	static const int protos[] = { IPPROTO_TCP, IPPROTO_UDP, 1, 255 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(protos); i++) {
		errno = 0;
		EXPECT_EQ(-1, socket(ksft_roam_family(), SOCK_STREAM, protos[i]));
		EXPECT_EQ(EPROTONOSUPPORT, errno);
	}
}

TEST(sol_socket_options)
{
	int fd, val;
	socklen_t len;

	fd = socket(ksft_roam_family(), SOCK_STREAM, 0);
	ASSERT_LE(0, fd);

	len = sizeof(val);
	ASSERT_EQ(0, getsockopt(fd, SOL_SOCKET, SO_TYPE, &val, &len));
	EXPECT_EQ(SOCK_STREAM, val);
	ASSERT_EQ(0, getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &val, &len));
	EXPECT_EQ(ksft_roam_family(), val);
	ASSERT_EQ(0, getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &val, &len));
	EXPECT_EQ(0, val);
	ASSERT_EQ(0, getsockopt(fd, SOL_SOCKET, SO_ERROR, &val, &len));
	EXPECT_EQ(0, val);
	ASSERT_EQ(0, getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &val, &len));
	EXPECT_EQ(0, val);
	ASSERT_EQ(0, getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &val, &len));
	EXPECT_LT(0, val);
	ASSERT_EQ(0, getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &val, &len));
	EXPECT_LT(0, val);
	EXPECT_EQ(0, close(fd));
}

/* A socket that is neither connected nor listening: as TCP, POLLOUT|POLLHUP. */
TEST(poll_fresh_socket)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT };
	struct pollfd pfd;
	int fd, ep;

	fd = socket(ksft_roam_family(), SOCK_STREAM, 0);
	ASSERT_LE(0, fd);
	pfd.fd = fd;
	pfd.events = POLLIN | POLLOUT;
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLOUT | POLLHUP, pfd.revents);

	ep = epoll_create1(0);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
	ASSERT_EQ(1, epoll_wait(ep, &ev, 1, 0));
	EXPECT_TRUE(!!(ev.events & EPOLLOUT));
	EXPECT_EQ(0, close(ep));
	EXPECT_EQ(0, close(fd));
}

TEST(names_of_a_fresh_socket)
{
	struct sockaddr_roam sa;
	socklen_t len = sizeof(sa);
	int fd;

	fd = socket(ksft_roam_family(), SOCK_STREAM, 0);
	ASSERT_LE(0, fd);
	memset(&sa, 0xa5, sizeof(sa));
	ASSERT_EQ(0, getsockname(fd, (struct sockaddr *)&sa, &len));
	EXPECT_EQ(sizeof(sa), len);
	EXPECT_EQ(ksft_roam_family(), sa.sroam_family);
	EXPECT_EQ(0, sa.sroam_port);
	EXPECT_EQ(0U, sa.sroam_scope_id);
	EXPECT_TRUE(IN6_IS_ADDR_UNSPECIFIED(&sa.sroam_addr));

	len = sizeof(sa);
	errno = 0;
	EXPECT_EQ(-1, getpeername(fd, (struct sockaddr *)&sa, &len));
	EXPECT_EQ(ENOTCONN, errno);
	EXPECT_EQ(0, close(fd));
}

/* Every malformed sockaddr_roam gets EINVAL, from bind() and connect(). */
FIXTURE(bad_addr) {
	int fd;
};

FIXTURE_SETUP(bad_addr)
{
	self->fd = socket(ksft_roam_family(), SOCK_STREAM, 0);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(bad_addr)
{
	close(self->fd);
}

static int bind_and_connect(int fd, const void *sa, socklen_t len, int *cerr)
{
	int berr;

	errno = 0;
	berr = bind(fd, sa, len) ? errno : 0;
	errno = 0;
	*cerr = connect(fd, sa, len) ? errno : 0;
	return berr;
}

TEST_F(bad_addr, short_length)
{
	struct sockaddr_roam sa;
	int cerr;

	ASSERT_EQ(0, roam_addr_parse(&sa, "127.0.0.1", 5000));
	EXPECT_EQ(EINVAL, bind_and_connect(self->fd, &sa, sizeof(sa) - 1, &cerr));
	EXPECT_EQ(EINVAL, cerr);
	EXPECT_EQ(EINVAL, bind_and_connect(self->fd, &sa, sizeof(sa_family_t), &cerr));
	EXPECT_EQ(EINVAL, cerr);
}

TEST_F(bad_addr, wrong_family)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(5000),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	struct sockaddr_roam sa;
	int cerr;

	ASSERT_EQ(0, roam_addr_parse(&sa, "127.0.0.1", 5000));
	sa.sroam_family = AF_INET6;
	EXPECT_EQ(EINVAL, bind_and_connect(self->fd, &sa, sizeof(sa), &cerr));
	EXPECT_EQ(EINVAL, cerr);
	EXPECT_EQ(EINVAL, bind_and_connect(self->fd, &sin, sizeof(sin), &cerr));
	EXPECT_EQ(EINVAL, cerr);
}

TEST_F(bad_addr, scope_id_on_global_address)
{
	struct sockaddr_roam sa;
	int cerr;

	ASSERT_EQ(0, roam_addr_parse(&sa, "2001:db8::1", 5000));
	sa.sroam_scope_id = if_nametoindex("lo");
	ASSERT_NE(0U, sa.sroam_scope_id);
	EXPECT_EQ(EINVAL, bind_and_connect(self->fd, &sa, sizeof(sa), &cerr));
	EXPECT_EQ(EINVAL, cerr);

	ASSERT_EQ(0, roam_addr_parse(&sa, "127.0.0.1", 5000));
	sa.sroam_scope_id = 1;
	EXPECT_EQ(EINVAL, bind_and_connect(self->fd, &sa, sizeof(sa), &cerr));
	EXPECT_EQ(EINVAL, cerr);
}

TEST_F(bad_addr, link_local_without_valid_scope)
{
	struct sockaddr_roam sa;
	int cerr;

	ASSERT_EQ(0, roam_addr_parse(&sa, "fe80::1", 5000));
	EXPECT_EQ(EINVAL, bind_and_connect(self->fd, &sa, sizeof(sa), &cerr));
	EXPECT_EQ(EINVAL, cerr);

	sa.sroam_scope_id = 0x7fffffff;	/* no such interface */
	EXPECT_EQ(EINVAL, bind_and_connect(self->fd, &sa, sizeof(sa), &cerr));
	EXPECT_EQ(EINVAL, cerr);
}

TEST_HARNESS_MAIN
