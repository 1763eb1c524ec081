/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Output in either mode, iproute2 style: each call names the JSON key
 * and the text format of one value; whichever the mode does not use may
 * be NULL.
 */
#ifndef ROAMCTL_PRINT_H
#define ROAMCTL_PRINT_H

#include <stdbool.h>
#include <stdint.h>

void print_setup(void);
void print_obj_open(const char *key);
void print_obj_close(void);
void print_arr_open(const char *key);
void print_arr_close(void);
void print_u64(const char *key, const char *fmt, uint64_t val);
void print_str(const char *key, const char *fmt, const char *val);
void print_cid(const char *key, const char *fmt, uint64_t cid);
void print_flag(const char *key, const char *text, bool val);
/* A JSON array of dump results, opened at the first result so that a
 * refused dump prints nothing on stdout, and an empty one prints [].
 */
struct print_list {
	bool open;
};

void print_list_item(struct print_list *l);
void print_list_end(struct print_list *l, bool ok);
void print_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* ROAMCTL_PRINT_H */
