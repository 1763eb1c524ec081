// SPDX-License-Identifier: GPL-2.0
/*
 * A tiny streaming JSON writer: objects, arrays, strings, integers and
 * booleans, compact or pretty (four spaces, as python -m json.tool).
 * Strings are escaped per RFC 8259; bytes that are not valid UTF-8 are
 * written as U+FFFD so that the output is always valid JSON.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

#define JSON_MAX_DEPTH	16

static struct {
	FILE *f;
	bool pretty;
	unsigned int depth;
	bool first[JSON_MAX_DEPTH];	/* nothing written yet at this level */
} js = { .f = NULL };

void json_setup(FILE *f, bool pretty)
{
	js.f = f;
	js.pretty = pretty;
	js.depth = 0;
}

static FILE *out(void)
{
	return js.f ? js.f : stdout;
}

static void indent(void)
{
	unsigned int i;

	fputc('\n', out());
	for (i = 0; i < js.depth; i++)
		fputs("    ", out());
}

/* The length of the valid UTF-8 sequence at s, or 0. */
static size_t utf8_len(const unsigned char *s)
{
	uint32_t cp;
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and code points above U+10FFFF. */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

static void put_string(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	FILE *f = out();

	fputc('"', f);
	while (*s) {
		size_t n;

		switch (*s) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\b':
			fputs("\\b", f);
			break;
		case '\f':
			fputs("\\f", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (*s < 0x20) {
				fprintf(f, "\\u%04x", *s);
				break;
			}
			n = utf8_len(s);
			if (!n) {
				fputs("\\ufffd", f);
				break;
			}
			fwrite(s, 1, n, f);
			s += n;
			continue;
		}
		s++;
	}
	fputc('"', f);
}

/* Separator, indentation and key before a value. */
static void begin_value(const char *key)
{
	if (js.depth) {
		if (!js.first[js.depth - 1])
			fputc(',', out());
		js.first[js.depth - 1] = false;
		if (js.pretty)
			indent();
	}
	if (key) {
		put_string(key);
		fputs(js.pretty ? ": " : ":", out());
	}
}

/* After a value: a top-level value ends its line. */
static void end_value(void)
{
	if (!js.depth) {
		fputc('\n', out());
		fflush(out());
	}
}

static void open_level(const char *key, char c)
{
	if (js.depth == JSON_MAX_DEPTH)
		abort();	/* a bug: roamctl never nests this deep */
	begin_value(key);
	fputc(c, out());
	js.first[js.depth++] = true;
}

static void close_level(char c)
{
	if (!js.depth)
		return;
	js.depth--;
	if (js.pretty && !js.first[js.depth])
		indent();
	fputc(c, out());
	end_value();
}

void json_obj_open(const char *key)
{
	open_level(key, '{');
}

void json_obj_close(void)
{
	close_level('}');
}

void json_arr_open(const char *key)
{
	open_level(key, '[');
}

void json_arr_close(void)
{
	close_level(']');
}

void json_str(const char *key, const char *val)
{
	begin_value(key);
	put_string(val);
	end_value();
}

void json_u64(const char *key, uint64_t val)
{
	begin_value(key);
	fprintf(out(), "%" PRIu64, val);
	end_value();
}

void json_s64(const char *key, int64_t val)
{
	begin_value(key);
	fprintf(out(), "%" PRId64, val);
	end_value();
}

void json_bool(const char *key, bool val)
{
	begin_value(key);
	fputs(val ? "true" : "false", out());
	end_value();
}

void json_null(const char *key)
{
	begin_value(key);
	fputs("null", out());
	end_value();
}
