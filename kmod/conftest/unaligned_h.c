// SPDX-License-Identifier: GPL-2.0
/* <linux/unaligned.h> replaces <asm/unaligned.h> (6.12 on). */
#include <linux/unaligned.h>
