/* SPDX-License-Identifier: GPL-2.0 */
/*
 * In-kernel interface of the System Generation ID driver.
 */
#ifndef _LINUX_SYSGENID_H
#define _LINUX_SYSGENID_H

#include <uapi/linux/sysgenid.h>

#if IS_ENABLED(CONFIG_SYSGENID)
void sysgenid_bump_generation(void);
#else
static inline void sysgenid_bump_generation(void) { }
#endif

#endif /* _LINUX_SYSGENID_H */
