/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * System Generation ID: a 32-bit counter that changes every time the
 * system is restored from a snapshot. See
 * Documentation/misc-devices/sysgenid.rst for the interface.
 */
#ifndef _UAPI_LINUX_SYSGENID_H
#define _UAPI_LINUX_SYSGENID_H

#include <linux/ioctl.h>

#define SYSGENID_IOCTL			0xE4

/* Argument by value: 1 tracks this file descriptor, 0 stops tracking it. */
#define SYSGENID_SET_WATCHER_TRACKING	_IO(SYSGENID_IOCTL, 1)
/* Argument by value: timeout in milliseconds, 0 waits without a timeout. */
#define SYSGENID_WAIT_WATCHERS		_IO(SYSGENID_IOCTL, 2)
/* Argument by value: the lowest generation the update may produce. */
#define SYSGENID_TRIGGER_GEN_UPDATE	_IO(SYSGENID_IOCTL, 3)

#endif /* _UAPI_LINUX_SYSGENID_H */
