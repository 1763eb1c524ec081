/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ROAM_NOTIFY_H
#define _ROAM_NOTIFY_H

struct roam_net;

void roam_notify_net_init(struct roam_net *rn);
void roam_notify_net_exit(struct roam_net *rn);
int roam_notify_init(void);
void roam_notify_exit(void);

#endif /* _ROAM_NOTIFY_H */
