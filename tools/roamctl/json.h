/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny streaming JSON writer.  Values take a key inside objects and
 * NULL inside arrays or at the top level; a top-level value ends with a
 * newline, so several of them make JSON lines.
 */
#ifndef ROAMCTL_JSON_H
#define ROAMCTL_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

void json_setup(FILE *f, bool pretty);
void json_obj_open(const char *key);
void json_obj_close(void);
void json_arr_open(const char *key);
void json_arr_close(void);
void json_str(const char *key, const char *val);
void json_u64(const char *key, uint64_t val);
void json_s64(const char *key, int64_t val);
void json_bool(const char *key, bool val);
void json_null(const char *key);

#endif /* ROAMCTL_JSON_H */
