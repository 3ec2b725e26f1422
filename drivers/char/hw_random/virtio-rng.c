// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Randomness driver for virtio
 *  Copyright (C) 2007, 2008 Rusty Russell IBM Corporation
 */

#include <asm/barrier.h>
#include <linux/err.h>
#include <linux/hw_random.h>
#include <linux/nospec.h>
#include <linux/random.h>
#include <linux/scatterlist.h>
#include <linux/spinlock.h>
#include <linux/sysgenid.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_rng.h>
#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

static DEFINE_IDA(rng_index_ida);

/*
 * The entropy leak queues (VIRTIO_RNG_F_LEAK):
 * @src:	The restore source registered with random.c.
 * @vq:		leakq0 and leakq1.
 * @armed:	Index of the queue our requests wait on: the device's active
 *		queue, as far as the driver knows.
 * @started:	Whether the first requests were queued.
 * @work:	Reports a leak queue's interrupt to random.c.
 * @gen_page:	The System Generation ID page, or NULL: the destination of
 *		the copy-on-leak request.
 * @gen_next:	The generation the next restore produces: its source.
 * @fill:	The fill-on-leak buffer, in cache lines of its own.
 *
 * The queues are touched only by the source's update(), which random.c
 * serialises with every other source's (it queues the first requests too,
 * when registration calls it), and by remove after the source is
 * unregistered: no lock of their own.
 */
struct virtrng_leak {
	struct random_vmfork_source src;
	struct virtqueue *vq[2];
	unsigned int armed;
	bool started;
	struct work_struct work;
	struct page *gen_page;
	const u32 *gen_next;
	__dma_from_device_group_begin();
	u8 fill[32];
	__dma_from_device_group_end();
};

struct virtrng_info {
	struct hwrng hwrng;
	struct virtqueue *vq;
	char name[25];
	int index;
	bool hwrng_register_done;
	bool hwrng_removed;
	/* data transfer */
	struct completion have_data;
	unsigned int data_avail;
	unsigned int data_idx;
	/* minimal size returned by rng_buffer_size() */
	__dma_from_device_group_begin();
#if SMP_CACHE_BYTES < 32
	u8 data[32];
#else
	u8 data[SMP_CACHE_BYTES];
#endif
	__dma_from_device_group_end();
	/* Only with VIRTIO_RNG_F_LEAK */
	struct virtrng_leak *leak;
};

static void random_recv_done(struct virtqueue *vq)
{
	struct virtrng_info *vi = vq->vdev->priv;
	unsigned int len;

	/* We can get spurious callbacks, e.g. shared IRQs + virtio_pci. */
	if (!virtqueue_get_buf(vi->vq, &len))
		return;

	smp_store_release(&vi->data_avail, len);
	complete(&vi->have_data);
}

static void request_entropy(struct virtrng_info *vi)
{
	struct scatterlist sg;

	reinit_completion(&vi->have_data);
	vi->data_idx = 0;

	sg_init_one(&sg, vi->data, sizeof(vi->data));

	/* There should always be room for one buffer. */
	virtqueue_add_inbuf(vi->vq, &sg, 1, vi->data, GFP_KERNEL);

	virtqueue_kick(vi->vq);
}

static unsigned int copy_data(struct virtrng_info *vi, void *buf,
			      unsigned int size)
{
	unsigned int idx, avail;

	/*
	 * vi->data_avail was set from the device-reported used.len and
	 * vi->data_idx was advanced by previous copy_data() calls.  A
	 * malicious or buggy virtio-rng backend can drive either past
	 * sizeof(vi->data).  Clamp at point of use and harden the index
	 * with array_index_nospec() so the memcpy() below cannot be
	 * steered into adjacent slab memory, including under
	 * speculation.
	 */
	avail = min_t(unsigned int, vi->data_avail, sizeof(vi->data));
	if (vi->data_idx >= avail) {
		vi->data_avail = 0;
		request_entropy(vi);
		return 0;
	}
	size = min_t(unsigned int, size, avail - vi->data_idx);
	idx = array_index_nospec(vi->data_idx, sizeof(vi->data));
	memcpy(buf, vi->data + idx, size);
	vi->data_idx += size;
	vi->data_avail -= size;
	if (vi->data_avail == 0)
		request_entropy(vi);
	return size;
}

static int virtio_read(struct hwrng *rng, void *buf, size_t size, bool wait)
{
	int ret;
	struct virtrng_info *vi = (struct virtrng_info *)rng->priv;
	unsigned int chunk;
	size_t read;

	if (vi->hwrng_removed)
		return -ENODEV;

	read = 0;

	/* copy available data */
	if (smp_load_acquire(&vi->data_avail)) {
		chunk = copy_data(vi, buf, size);
		size -= chunk;
		read += chunk;
	}

	if (!wait)
		return read;

	/* We have already copied available entropy,
	 * so either size is 0 or data_avail is 0
	 */
	while (size != 0) {
		/* data_avail is 0 but a request is pending */
		ret = wait_for_completion_killable(&vi->have_data);
		if (ret < 0)
			return ret;
		/* if vi->data_avail is 0, we have been interrupted
		 * by a cleanup, but buffer stays in the queue
		 */
		if (vi->data_avail == 0)
			return read;

		chunk = copy_data(vi, buf + read, size);
		size -= chunk;
		read += chunk;
	}

	return read;
}

static void virtio_cleanup(struct hwrng *rng)
{
	struct virtrng_info *vi = (struct virtrng_info *)rng->priv;

	complete(&vi->have_data);
}

/*
 * Queue the requests the device performs at the next leak on the armed
 * queue: fill @fill with random bytes and, when the System Generation ID
 * is there, copy the generation the next restore produces into its page.
 * The device reads the source when it performs the copy, so the value it
 * stores is the one staged at the moment of the restore.
 */
static void virtrng_leak_arm(struct virtrng_leak *leak)
{
	struct virtqueue *vq = leak->vq[leak->armed];
	struct scatterlist fill, src, dst, *sgs[] = { &src, &dst };
	int err;

	sg_init_one(&fill, leak->fill, sizeof(leak->fill));
	err = virtqueue_add_inbuf(vq, &fill, 1, leak->fill, GFP_KERNEL);
	if (!err && leak->gen_page) {
		sg_init_one(&src, leak->gen_next, sizeof(*leak->gen_next));
		sg_init_table(&dst, 1);
		sg_set_page(&dst, leak->gen_page, sizeof(*leak->gen_next), 0);
		err = virtqueue_add_sgs(vq, sgs, 1, 1, leak, GFP_KERNEL);
	}
	if (err)
		dev_warn(&vq->vdev->dev, "leak queue %u: cannot queue requests: %d\n",
			 leak->armed, err);
	virtqueue_kick(vq);
}

/*
 * The restore source: the device returns the armed queue's requests when
 * the VM was restored. Collect them, mix the filled bytes in, re-arm on
 * the other queue, which the device made active, and report a restore.
 * The copy into the System Generation ID page already happened before the
 * VM ran; the fork event that follows makes sysgenid catch up with it.
 */
static bool virtrng_leak_update(struct random_vmfork_source *src)
{
	struct virtrng_leak *leak = container_of(src, struct virtrng_leak, src);
	bool leaked = false;
	unsigned int len;
	void *buf;

	/* At registration: leakq0 is the active queue after a reset. */
	if (!leak->started) {
		leak->started = true;
		virtrng_leak_arm(leak);
		return false;
	}
	while ((buf = virtqueue_get_buf(leak->vq[leak->armed], &len))) {
		leaked = true;
		if (buf == leak->fill)
			add_device_randomness(leak->fill, min(len, sizeof(leak->fill)));
	}
	if (leaked) {
		leak->armed ^= 1;
		virtrng_leak_arm(leak);
	}
	return leaked;
}

static void virtrng_leak_work(struct work_struct *work)
{
	random_vmfork_source_notify();
}

static void virtrng_leak_done(struct virtqueue *vq)
{
	struct virtrng_info *vi = vq->vdev->priv;

	schedule_work(&vi->leak->work);
}

static int virtrng_find_vqs(struct virtio_device *vdev, struct virtrng_info *vi)
{
	struct virtqueue_info vqs_info[] = {
		{ "input", random_recv_done },
		{ "leakq.0", virtrng_leak_done },
		{ "leakq.1", virtrng_leak_done },
	};
	struct virtqueue *vqs[ARRAY_SIZE(vqs_info)];
	struct virtrng_leak *leak;
	int err;

	if (!virtio_has_feature(vdev, VIRTIO_RNG_F_LEAK)) {
		vi->vq = virtio_find_single_vq(vdev, random_recv_done, "input");
		return PTR_ERR_OR_ZERO(vi->vq);
	}

	leak = kzalloc_obj(*leak);
	if (!leak)
		return -ENOMEM;
	err = virtio_find_vqs(vdev, ARRAY_SIZE(vqs), vqs, vqs_info, NULL);
	if (err) {
		kfree(leak);
		return err;
	}
	vi->vq = vqs[0];
	leak->vq[0] = vqs[1];
	leak->vq[1] = vqs[2];
	leak->src.update = virtrng_leak_update;
	INIT_WORK(&leak->work, virtrng_leak_work);
	/* Without the System Generation ID, only the fill request. */
	if (sysgenid_get_restore_target(&leak->gen_page, &leak->gen_next))
		leak->gen_page = NULL;
	vi->leak = leak;
	return 0;
}

static int probe_common(struct virtio_device *vdev)
{
	int err, index;
	struct virtrng_info *vi = NULL;

	vi = kzalloc_obj(struct virtrng_info);
	if (!vi)
		return -ENOMEM;

	vi->index = index = ida_alloc(&rng_index_ida, GFP_KERNEL);
	if (index < 0) {
		err = index;
		goto err_ida;
	}
	sprintf(vi->name, "virtio_rng.%d", index);
	init_completion(&vi->have_data);

	vi->hwrng = (struct hwrng) {
		.read = virtio_read,
		.cleanup = virtio_cleanup,
		.priv = (unsigned long)vi,
		.name = vi->name,
	};
	vdev->priv = vi;

	err = virtrng_find_vqs(vdev, vi);
	if (err)
		goto err_find;

	virtio_device_ready(vdev);

	/* we always have a pending entropy request */
	request_entropy(vi);
	/* Queues the first leak requests, see virtrng_leak_update(). */
	if (vi->leak)
		register_random_vmfork_source(&vi->leak->src);

	return 0;

err_find:
	ida_free(&rng_index_ida, index);
err_ida:
	kfree(vi);
	return err;
}

static void remove_common(struct virtio_device *vdev)
{
	struct virtrng_info *vi = vdev->priv;

	vi->hwrng_removed = true;
	vi->data_avail = 0;
	vi->data_idx = 0;
	complete(&vi->have_data);
	if (vi->hwrng_register_done)
		hwrng_unregister(&vi->hwrng);
	/* No update() after this, no leak callback after the reset. */
	if (vi->leak)
		unregister_random_vmfork_source(&vi->leak->src);
	virtio_reset_device(vdev);
	if (vi->leak)
		cancel_work_sync(&vi->leak->work);
	vdev->config->del_vqs(vdev);
	ida_free(&rng_index_ida, vi->index);
	kfree(vi->leak);
	kfree(vi);
}

static int virtrng_probe(struct virtio_device *vdev)
{
	return probe_common(vdev);
}

static void virtrng_remove(struct virtio_device *vdev)
{
	remove_common(vdev);
}

static void virtrng_scan(struct virtio_device *vdev)
{
	struct virtrng_info *vi = vdev->priv;
	int err;

	err = hwrng_register(&vi->hwrng);
	if (!err)
		vi->hwrng_register_done = true;
}

static int virtrng_freeze(struct virtio_device *vdev)
{
	remove_common(vdev);
	return 0;
}

static int virtrng_restore(struct virtio_device *vdev)
{
	int err;

	err = probe_common(vdev);
	if (!err) {
		struct virtrng_info *vi = vdev->priv;

		/*
		 * Set hwrng_removed to ensure that virtio_read()
		 * does not block waiting for data before the
		 * registration is complete.
		 */
		vi->hwrng_removed = true;
		err = hwrng_register(&vi->hwrng);
		if (!err) {
			vi->hwrng_register_done = true;
			vi->hwrng_removed = false;
		}
	}

	return err;
}

static const struct virtio_device_id id_table[] = {
	{ VIRTIO_ID_RNG, VIRTIO_DEV_ANY_ID },
	{ 0 },
};

static const unsigned int features[] = {
	VIRTIO_RNG_F_LEAK,
};

static struct virtio_driver virtio_rng_driver = {
	.driver.name =	KBUILD_MODNAME,
	.feature_table = features,
	.feature_table_size = ARRAY_SIZE(features),
	.id_table =	id_table,
	.probe =	virtrng_probe,
	.remove =	virtrng_remove,
	.scan =		virtrng_scan,
	.freeze =	pm_sleep_ptr(virtrng_freeze),
	.restore =	pm_sleep_ptr(virtrng_restore),
};

module_virtio_driver(virtio_rng_driver);
MODULE_DEVICE_TABLE(virtio, id_table);
MODULE_DESCRIPTION("Virtio random number driver");
MODULE_LICENSE("GPL");
