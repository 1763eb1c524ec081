// SPDX-License-Identifier: GPL-2.0
/*
 * The clock, the message helpers and the little parsers that
 * the rest of roampeer shares.  Nothing here knows the protocol.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

int verbose;

/* The monotonic clock in microseconds. */
u64 now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * USEC_PER_SEC + ts.tv_nsec / 1000;
}

static void vmsg(const char *fmt, va_list ap)
{
	fputs("roampeer: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

/* A message on stderr, prefixed with the program's name. */
void msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

/* A message on stderr, only at verbosity @level or above. */
void dbg(int level, const char *fmt, ...)
{
	va_list ap;

	if (verbose < level)
		return;
	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

/* Parses a whole decimal (or 0x hex) unsigned number. */
bool parse_u64(const char *s, u64 *v)
{
	char *end;

	if (!*s || *s == '-')
		return false;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return !errno && !*end;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * Parses hex digits, ignoring white space, into at most @max bytes: the
 * number of bytes, or -1 on a bad digit, an odd count or overflow.
 */
ssize_t parse_hex(const char *s, u8 *out, size_t max)
{
	size_t n = 0;
	int hi = -1, v;

	for (; *s; s++) {
		if (isspace((unsigned char)*s))
			continue;
		v = hexval((unsigned char)*s);
		if (v < 0)
			return -1;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n == max)
			return -1;
		out[n++] = hi << 4 | v;
		hi = -1;
	}
	return hi < 0 ? (ssize_t)n : -1;
}

/* Writes @len bytes as lowercase hex and a NUL into @out (2 * len + 1). */
void hex_fmt(const u8 *p, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * len] = '\0';
}

/* write() until everything is written: 0, or -1 with errno. */
int write_all(int fd, const void *buf, size_t len)
{
	const u8 *p = buf;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= n;
	}
	return 0;
}
