/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * System Generation ID: a 32-bit counter that changes every time the
 * system is restored from a snapshot. See
 * Documentation/misc-devices/sysgenid.rst for the interface.
 *
 * /dev/sysgenid: read() returns the generation as a native-endian __u32
 * once it changed, write() of that __u32 acknowledges it, and mmap() of
 * one page at offset 0 (MAP_SHARED, PROT_READ) gives it at offset 0.
 */
#ifndef _UAPI_LINUX_SYSGENID_H
#define _UAPI_LINUX_SYSGENID_H

#include <linux/ioctl.h>

#define SYSGENID_IOCTL			0xE4

/*
 * Every argument is a __u32 passed by value, as the ioctl's third
 * argument: pass it cast to unsigned long. The commands are _IO() although
 * they take a value because that is the ABI of the driver that programs
 * already use (VMM guest tools, crypto libraries), kept as it is.
 */

/* 1 tracks this file descriptor (open for writing), 0 stops tracking it. */
#define SYSGENID_SET_WATCHER_TRACKING	_IO(SYSGENID_IOCTL, 1)
/* Timeout in milliseconds, 0 waits without a timeout. */
#define SYSGENID_WAIT_WATCHERS		_IO(SYSGENID_IOCTL, 2)
/* The lowest generation the update may produce. */
#define SYSGENID_TRIGGER_GEN_UPDATE	_IO(SYSGENID_IOCTL, 3)

#endif /* _UAPI_LINUX_SYSGENID_H */
