/* SPDX-License-Identifier: GPL-2.0 */
/*
 * System Generation ID: the interface for drivers of devices that store the
 * next generation themselves while the system is being restored. See
 * "Devices that store the generation" in Documentation/misc-devices/sysgenid.rst.
 */
#ifndef _LINUX_SYSGENID_H
#define _LINUX_SYSGENID_H

#include <linux/errno.h>
#include <linux/types.h>

struct page;

#if IS_ENABLED(CONFIG_SYSGENID)
int sysgenid_get_restore_target(struct page **page, const u32 **next);
#else
static inline int sysgenid_get_restore_target(struct page **page, const u32 **next)
{
	return -ENODEV;
}
#endif

#endif /* _LINUX_SYSGENID_H */
