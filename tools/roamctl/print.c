// SPDX-License-Identifier: GPL-2.0
/*
 * Output in either mode.  The text formats are string constants chosen by
 * the callers, each with exactly one conversion of the value's type, so
 * the non-literal formats below are safe.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "json.h"
#include "print.h"
#include "roamctl.h"

#pragma GCC diagnostic ignored "-Wformat-nonliteral"

void print_setup(void)
{
	json_setup(stdout, opt_pretty);
}

void print_obj_open(const char *key)
{
	if (opt_json)
		json_obj_open(key);
}

void print_obj_close(void)
{
	if (opt_json)
		json_obj_close();
}

void print_arr_open(const char *key)
{
	if (opt_json)
		json_arr_open(key);
}

void print_arr_close(void)
{
	if (opt_json)
		json_arr_close();
}

void print_u64(const char *key, const char *fmt, uint64_t val)
{
	if (opt_json) {
		if (key)
			json_u64(key, val);
	} else if (fmt) {
		printf(fmt, val);
	}
}

void print_str(const char *key, const char *fmt, const char *val)
{
	if (opt_json) {
		if (key)
			json_str(key, val);
	} else if (fmt) {
		printf(fmt, val);
	}
}

/* Connection IDs are 16 hex digits, and strings in JSON (a u64 is not a
 * safe JSON number).
 */
void print_cid(const char *key, const char *fmt, uint64_t cid)
{
	char buf[17];

	snprintf(buf, sizeof(buf), "%016" PRIx64, cid);
	print_str(key, fmt, buf);
}

/* A flag: a boolean in JSON, its text only when set. */
void print_flag(const char *key, const char *text, bool val)
{
	if (opt_json) {
		if (key)
			json_bool(key, val);
	} else if (text && val) {
		fputs(text, stdout);
	}
}

void print_text(const char *fmt, ...)
{
	va_list ap;

	if (opt_json)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

void print_list_item(struct print_list *l)
{
	if (!l->open)
		print_arr_open(NULL);
	l->open = true;
}

void print_list_end(struct print_list *l, bool ok)
{
	if (ok && !l->open)
		print_arr_open(NULL);
	if (ok || l->open)
		print_arr_close();
	l->open = false;
}
