// SPDX-License-Identifier: GPL-2.0
/*
 * libroam (tools/libroam), as an application uses it: the family lookup,
 * text to address and back, conversion from and to sockaddr_in and
 * sockaddr_in6 with their edges (the wildcard, link-local scopes, short
 * buffers, other families), the getaddrinfo() wrapper, and a connection
 * made only from what the wrapper returned, whose peer converts back to
 * the AF_INET address it was given.
 */
#include <net/if.h>
#include <netdb.h>

#include "kselftest_harness.h"
#include "roam_util.h"

TEST(family_is_the_module_parameter)
{
	int family = -1;
	FILE *f = fopen(ROAM_FAMILY_SYSFS, "r");

	ASSERT_NE(NULL, f);
	ASSERT_EQ(1, fscanf(f, "%d", &family));
	fclose(f);
	EXPECT_EQ(family, roam_family());
	EXPECT_LT(0, family);
	EXPECT_NE(NULL, roam_version());
}

TEST(parse_and_format)
{
	static const struct { const char *in, *out; } ok[] = {
		{ "192.0.2.1", "192.0.2.1:8080" },
		{ "2001:db8::1", "[2001:db8::1]:8080" },
		{ "::ffff:192.0.2.7", "192.0.2.7:8080" },
		{ "*", "*:8080" },
		{ "0.0.0.0", "*:8080" },	/* the wildcard, not ::ffff:0.0.0.0 */
		{ "::", "*:8080" },
		{ "fe80::1%lo", "[fe80::1%lo]:8080" },
		{ "fe80::1%1", "[fe80::1%lo]:8080" },
	};
	static const struct { const char *in; int err; } bad[] = {
		{ "192.0.2.256", EINVAL }, { "", EINVAL }, { "2001:db8::1::2", EINVAL },
		{ "192.0.2.1%1", EINVAL }, { "fe80::1%no-such-dev", ENODEV },
		{ "fe80::1%", ENODEV }, { "host.example", EINVAL },
		{ "0123456789012345678901234567890123456789012345678901234567890123", EINVAL },
	};
	char buf[ROAM_ADDRSTRLEN];
	struct sockaddr_roam sa;
	unsigned int i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		ASSERT_EQ(0, roam_addr_parse(&sa, ok[i].in, 8080)) TH_LOG("%s", ok[i].in);
		EXPECT_EQ(roam_family(), sa.sroam_family);
		EXPECT_STREQ(ok[i].out, roam_addr_format(&sa, buf, sizeof(buf)));
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		EXPECT_EQ(-1, roam_addr_parse(&sa, bad[i].in, 1)) TH_LOG("%s", bad[i].in);
		EXPECT_EQ(bad[i].err, errno) TH_LOG("%s", bad[i].in);
	}
	/* A short buffer: cut, and terminated. */
	ASSERT_EQ(0, roam_addr_parse(&sa, "2001:db8::1", 8080));
	EXPECT_STREQ("[200", roam_addr_format(&sa, buf, 5));
}

TEST(convert_both_ways)
{
	struct sockaddr_in s4 = { .sin_family = AF_INET, .sin_port = htons(80) };
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6, .sin6_port = htons(443) };
	struct sockaddr_storage ss;
	struct sockaddr_roam sa;
	socklen_t len;

	/* IPv4: v4-mapped, and back to the same sockaddr_in. */
	inet_pton(AF_INET, "198.51.100.9", &s4.sin_addr);
	ASSERT_EQ(0, roam_from_sockaddr(&sa, (struct sockaddr *)&s4, sizeof(s4)));
	EXPECT_TRUE(IN6_IS_ADDR_V4MAPPED(&sa.sroam_addr));
	EXPECT_EQ(htons(80), sa.sroam_port);
	len = sizeof(ss);
	EXPECT_EQ(AF_INET, roam_to_sockaddr((struct sockaddr *)&ss, &len, &sa, AF_UNSPEC));
	EXPECT_EQ(sizeof(s4), len);
	EXPECT_EQ(0, memcmp(&ss, &s4, sizeof(s4)));
	/* ... or as v4-mapped IPv6, for an AF_INET6 socket. */
	len = sizeof(ss);
	EXPECT_EQ(AF_INET6, roam_to_sockaddr((struct sockaddr *)&ss, &len, &sa, AF_INET6));
	EXPECT_TRUE(IN6_IS_ADDR_V4MAPPED(&((struct sockaddr_in6 *)&ss)->sin6_addr));

	/* IPv4's wildcard is the wildcard. */
	s4.sin_addr.s_addr = htonl(INADDR_ANY);
	ASSERT_EQ(0, roam_from_sockaddr(&sa, (struct sockaddr *)&s4, sizeof(s4)));
	EXPECT_TRUE(IN6_IS_ADDR_UNSPECIFIED(&sa.sroam_addr));
	len = sizeof(ss);
	EXPECT_EQ(AF_INET, roam_to_sockaddr((struct sockaddr *)&ss, &len, &sa, AF_INET));
	EXPECT_EQ(htonl(INADDR_ANY), ((struct sockaddr_in *)&ss)->sin_addr.s_addr);

	/* IPv6: the scope only on link-local addresses. */
	inet_pton(AF_INET6, "2001:db8::5", &s6.sin6_addr);
	s6.sin6_scope_id = 3;
	ASSERT_EQ(0, roam_from_sockaddr(&sa, (struct sockaddr *)&s6, sizeof(s6)));
	EXPECT_EQ(0U, sa.sroam_scope_id);
	inet_pton(AF_INET6, "fe80::5", &s6.sin6_addr);
	ASSERT_EQ(0, roam_from_sockaddr(&sa, (struct sockaddr *)&s6, sizeof(s6)));
	EXPECT_EQ(3U, sa.sroam_scope_id);
	len = sizeof(ss);
	EXPECT_EQ(AF_INET6, roam_to_sockaddr((struct sockaddr *)&ss, &len, &sa, AF_UNSPEC));
	EXPECT_EQ(0, memcmp(&ss, &s6, sizeof(s6)));
	/* An IPv6 address has no AF_INET form. */
	len = sizeof(ss);
	errno = 0;
	EXPECT_EQ(-1, roam_to_sockaddr((struct sockaddr *)&ss, &len, &sa, AF_INET));
	EXPECT_EQ(EAFNOSUPPORT, errno);

	/* Short buffers are cut and told the full length, as getsockname's. */
	memset(&ss, 0xaa, sizeof(ss));
	len = 8;
	EXPECT_EQ(AF_INET6, roam_to_sockaddr((struct sockaddr *)&ss, &len, &sa, AF_INET6));
	EXPECT_EQ(sizeof(s6), len);
	EXPECT_EQ(0xaa, ((unsigned char *)&ss)[8]);

	/* Too short to be what it says, or another family. */
	errno = 0;
	EXPECT_EQ(-1, roam_from_sockaddr(&sa, (struct sockaddr *)&s6, sizeof(s4)));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, roam_from_sockaddr(&sa, (struct sockaddr *)&s6, 1));
	EXPECT_EQ(EINVAL, errno);
	ss.ss_family = AF_UNIX;
	errno = 0;
	EXPECT_EQ(-1, roam_from_sockaddr(&sa, (struct sockaddr *)&ss, sizeof(ss)));
	EXPECT_EQ(EAFNOSUPPORT, errno);
	errno = 0;
	EXPECT_EQ(-1, roam_to_sockaddr((struct sockaddr *)&ss, &len, &sa, AF_UNIX));
	EXPECT_EQ(EAFNOSUPPORT, errno);
}

TEST(getaddrinfo_wrapper)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV };
	struct addrinfo *res, *i;
	char buf[ROAM_ADDRSTRLEN];
	int n = 0;

	ASSERT_EQ(0, roam_getaddrinfo("192.0.2.3", "7000", &hints, &res));
	EXPECT_EQ(roam_family(), res->ai_family);
	EXPECT_EQ(SOCK_STREAM, res->ai_socktype);
	EXPECT_EQ(sizeof(struct sockaddr_roam), res->ai_addrlen);
	EXPECT_STREQ("192.0.2.3:7000",
		     roam_addr_format((struct sockaddr_roam *)res->ai_addr, buf, sizeof(buf)));
	EXPECT_EQ(NULL, res->ai_next);
	roam_freeaddrinfo(res);

	/* A passive lookup: 0.0.0.0 and :: are one wildcard. */
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	ASSERT_EQ(0, roam_getaddrinfo(NULL, "7000", &hints, &res));
	for (i = res; i; i = i->ai_next)
		n++;
	EXPECT_EQ(1, n);
	EXPECT_STREQ("*:7000",
		     roam_addr_format((struct sockaddr_roam *)res->ai_addr, buf, sizeof(buf)));
	roam_freeaddrinfo(res);

	/* ai_family chooses what to look up; AF_ROAM itself means either. */
	hints.ai_flags = AI_NUMERICHOST;
	hints.ai_family = AF_INET;
	EXPECT_NE(0, roam_getaddrinfo("2001:db8::1", "1", &hints, &res));
	hints.ai_family = roam_family();
	ASSERT_EQ(0, roam_getaddrinfo("2001:db8::1", "1", &hints, &res));
	roam_freeaddrinfo(res);
	hints.ai_family = AF_UNIX;
	EXPECT_EQ(EAI_FAMILY, roam_getaddrinfo("2001:db8::1", "1", &hints, &res));
	hints.ai_family = AF_UNSPEC;
	EXPECT_NE(0, roam_getaddrinfo("not an address", "1", &hints, &res));
	roam_freeaddrinfo(NULL);
}

TEST(connect_from_getaddrinfo)
{
	struct addrinfo hints = { .ai_flags = AI_PASSIVE | AI_NUMERICHOST };
	struct sockaddr_storage ss;
	struct sockaddr_roam peer;
	struct addrinfo *res;
	int l, c, a;
	socklen_t len = sizeof(peer);

	ASSERT_EQ(0, roam_private_netns(NULL));
	ASSERT_EQ(0, roam_getaddrinfo("127.0.0.1", "7331", &hints, &res));
	l = socket(res->ai_family, res->ai_socktype, res->ai_protocol);
	ASSERT_LE(0, l);
	ASSERT_EQ(0, bind(l, res->ai_addr, res->ai_addrlen));
	ASSERT_EQ(0, listen(l, 1));
	roam_freeaddrinfo(res);

	hints.ai_flags = AI_NUMERICHOST;
	ASSERT_EQ(0, roam_getaddrinfo("127.0.0.1", "7331", &hints, &res));
	c = socket(res->ai_family, res->ai_socktype, res->ai_protocol);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, connect(c, res->ai_addr, res->ai_addrlen));
	roam_freeaddrinfo(res);
	a = accept(l, NULL, NULL);
	ASSERT_LE(0, a);

	ASSERT_EQ(0, getpeername(c, (struct sockaddr *)&peer, &len));
	len = sizeof(ss);
	ASSERT_EQ(AF_INET, roam_to_sockaddr((struct sockaddr *)&ss, &len, &peer, AF_UNSPEC));
	EXPECT_EQ(htonl(INADDR_LOOPBACK), ((struct sockaddr_in *)&ss)->sin_addr.s_addr);
	EXPECT_EQ(htons(7331), ((struct sockaddr_in *)&ss)->sin_port);
	EXPECT_EQ(5, write(c, "hello", 5));
	close(c);
	close(a);
	close(l);
}

TEST_HARNESS_MAIN
