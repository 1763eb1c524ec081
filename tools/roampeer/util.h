/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every file of roampeer uses: fixed-width integer types,
 * big-endian loads and stores (roam's wire order), the monotonic clock,
 * messages, and parsing of numbers and hex.
 */
#ifndef ROAMPEER_UTIL_H
#define ROAMPEER_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
/* These evaluate an argument twice: never pass one with a side effect. */
#define MIN(a, b)	((a) < (b) ? (a) : (b))
#define MAX(a, b)	((a) > (b) ? (a) : (b))

#define USEC_PER_MSEC	1000ULL
#define USEC_PER_SEC	1000000ULL

static inline void put_be16(u8 *p, u16 v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static inline void put_be32(u8 *p, u32 v)
{
	put_be16(p, v >> 16);
	put_be16(p + 2, v);
}

static inline void put_be64(u8 *p, u64 v)
{
	put_be32(p, v >> 32);
	put_be32(p + 4, v);
}

static inline u16 get_be16(const u8 *p)
{
	return (u16)p[0] << 8 | p[1];
}

static inline u32 get_be32(const u8 *p)
{
	return (u32)get_be16(p) << 16 | get_be16(p + 2);
}

static inline u64 get_be64(const u8 *p)
{
	return (u64)get_be32(p) << 32 | get_be32(p + 4);
}

/* Verbosity: 0 quiet, 1 events, 2 every packet. */
extern int verbose;

u64 now_us(void);
#define __printf(a, b)	__attribute__((format(printf, a, b)))

void msg(const char *fmt, ...) __printf(1, 2);
void dbg(int level, const char *fmt, ...) __printf(2, 3);
bool parse_u64(const char *s, u64 *v);
ssize_t parse_hex(const char *s, u8 *out, size_t max);
void hex_fmt(const u8 *p, size_t len, char *out);
int write_all(int fd, const void *buf, size_t len);

#endif /* ROAMPEER_UTIL_H */
