// SPDX-License-Identifier: GPL-2.0
/*
 * Small helpers: command words and strict number parsing.  Parsers never
 * accept signs, spaces or trailing junk, and report overflow.
 */
#include <errno.h>
#include <string.h>

#include "roamctl.h"

bool is_show(const char *word)
{
	return !strcmp(word, "show") || !strcmp(word, "list") ||
	       !strcmp(word, "ls");
}

bool is_help(const char *word)
{
	return !strcmp(word, "help") || !strcmp(word, "-h") ||
	       !strcmp(word, "--help");
}

int unknown_command(const char *object, const char *word,
		    void (*usage)(FILE *f))
{
	fprintf(stderr, "roamctl: unknown command \"%s\" for object \"%s\"\n",
		word, object);
	usage(stderr);
	return EXIT_PARSE;
}

/* Decimal digits at *sp, at most max; advances *sp past them. */
static int parse_digits(const char **sp, uint64_t max, uint64_t *out)
{
	const char *s = *sp;
	uint64_t v = 0;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	for (; *s >= '0' && *s <= '9'; s++) {
		unsigned int d = *s - '0';

		if (d > max || v > (max - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*sp = s;
	*out = v;
	return 0;
}

/* A decimal number in 0..max: 0, -EINVAL for junk, -ERANGE above max. */
int parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	int err;

	err = parse_digits(&s, max, out);
	if (err)
		return err;
	return *s ? -EINVAL : 0;
}

/* Milliseconds: a plain number, or a number with ms, s, m or h. */
int parse_time_ms(const char *s, uint32_t *out)
{
	static const struct {
		const char *suffix;
		uint32_t mult;
	} units[] = {
		{ "", 1 }, { "ms", 1 }, { "s", 1000 }, { "m", 60000 },
		{ "h", 3600000 },
	};
	uint64_t v;
	unsigned int i;
	int err;

	err = parse_digits(&s, UINT32_MAX, &v);
	if (err)
		return err;
	for (i = 0; i < ARRAY_SIZE(units); i++) {
		if (strcmp(s, units[i].suffix))
			continue;
		if (v > UINT32_MAX / units[i].mult)
			return -ERANGE;
		*out = v * units[i].mult;
		return 0;
	}
	return -EINVAL;
}

/* A connection ID: 1 to 16 hex digits, with or without 0x. */
int parse_cid(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	unsigned int n;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (n = 0; *s; s++, n++) {
		unsigned int d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			return -EINVAL;
		if (n == 16)
			return -ERANGE;
		v = v << 4 | d;
	}
	if (!n)
		return -EINVAL;
	*out = v;
	return 0;
}

const char *state_name(unsigned int state, char *buf, size_t len)
{
	static const char *const names[] = {
		[ROAM_STATE_CLOSED]		= "closed",
		[ROAM_STATE_LISTEN]		= "listen",
		[ROAM_STATE_CONNECTING]		= "connecting",
		[ROAM_STATE_ESTABLISHED]	= "established",
		[ROAM_STATE_FIN_WAIT]		= "fin-wait",
		[ROAM_STATE_CLOSE_WAIT]		= "close-wait",
		[ROAM_STATE_CLOSING]		= "closing",
		[ROAM_STATE_DRAINING]		= "draining",
	};

	if (state < ARRAY_SIZE(names) && names[state])
		return names[state];
	snprintf(buf, len, "state-%u", state);
	return buf;
}
