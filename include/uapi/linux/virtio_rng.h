#ifndef _LINUX_VIRTIO_RNG_H
#define _LINUX_VIRTIO_RNG_H
/* This header is BSD licensed so anyone can use the definitions to implement
 * compatible drivers/servers. */
#include <linux/virtio_ids.h>
#include <linux/virtio_config.h>

/* The feature bitmap for virtio rng */
#define VIRTIO_RNG_F_LEAK	0	/* Device has leak queues */

#endif /* _LINUX_VIRTIO_RNG_H */
