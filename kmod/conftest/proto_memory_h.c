// SPDX-License-Identifier: GPL-2.0
/* <net/proto_memory.h> holds sk_under_memory_pressure() (6.10 on). */
#include <net/proto_memory.h>
