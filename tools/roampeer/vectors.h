/* SPDX-License-Identifier: GPL-2.0 */
/* The "roampeer vectors" command (vectors.c). */
#ifndef ROAMPEER_VECTORS_H
#define ROAMPEER_VECTORS_H

int vectors_main(const char *path);

#endif /* ROAMPEER_VECTORS_H */
