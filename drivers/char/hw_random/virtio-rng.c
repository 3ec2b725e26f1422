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
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_rng.h>
#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

static DEFINE_IDA(rng_index_ida);

/* What the device writes during a restore, shared with it (VIRTIO_RNG_F_LEAK) */
struct virtrng_leak_shared {
	__le64 word;		/* random.c's word: copied from stage[] */
	__le64 stage[2];	/* per leak queue, the next value of word */
	u8 seed[2][32];		/* per leak queue, filled with random bytes */
};

#define VIRTRNG_LEAK_TARGETS	4

/*
 * The entropy leak queues (VIRTIO_RNG_F_LEAK):
 * @src:	The restore source registered with random.c: word and seed
 *		in @sh.
 * @vq:		leakq0 and leakq1. Requests wait on both: the device
 *		performs those of its active queue at a leak, then makes the
 *		other queue active, so a restore of a system that has not
 *		handled the previous one yet is caught as well.
 * @sh:		Memory shared with the device: coherent DMA memory, or plain
 *		guest memory when the device uses no DMA API.
 * @sh_addr:	@sh's address for the device.
 * @dma_dev:	The device @sh was allocated for, or NULL.
 * @staged:	The last value staged for @sh->word.
 * @targets:	Memory of random.c's subscribers that the device stores
 *		into as well; only when it writes guest memory directly.
 * @bound:	For each target, the slot leakq0 copies; leakq1 copies the
 *		other, since the queues take turns after a reset.
 * @work:	Re-arms a queue once the device returned its requests.
 */
struct virtrng_leak {
	struct random_vmfork_source src;
	struct virtqueue *vq[2];
	struct virtrng_leak_shared *sh;
	dma_addr_t sh_addr;
	struct device *dma_dev;
	u64 staged;
	struct random_vmfork_target *targets[VIRTRNG_LEAK_TARGETS];
	unsigned int ntargets;
	unsigned int bound[VIRTRNG_LEAK_TARGETS];
	struct work_struct work;
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

static void virtrng_sg(struct scatterlist *sg, dma_addr_t addr, unsigned int len)
{
	sg_init_table(sg, 1);
	sg->length = len;
	sg_dma_address(sg) = addr;
	sg_dma_len(sg) = len;
}

static dma_addr_t virtrng_leak_addr(struct virtrng_leak *leak, const void *p)
{
	return leak->sh_addr + (p - (const void *)leak->sh);
}

/*
 * Queue the requests the device performs at a leak on leak queue @q:
 * fill the queue's seed with random bytes, copy its stage, a value the word
 * never had, to random.c's word, and copy each target's slot to the
 * target. Everything is premapped: the device reads the sources when it
 * performs the requests, while the VM is stopped.
 */
static int virtrng_leak_arm(struct virtrng_leak *leak, unsigned int q)
{
	struct virtqueue *vq = leak->vq[q];
	struct scatterlist out, in, *sgs[] = { &out, &in };
	struct random_vmfork_target *t;
	unsigned int i, slot;
	int err;

	WRITE_ONCE(leak->sh->stage[q], cpu_to_le64(++leak->staged));
	virtrng_sg(&in, virtrng_leak_addr(leak, leak->sh->seed[q]),
		   sizeof(leak->sh->seed[q]));
	err = virtqueue_add_inbuf_premapped(vq, &in, 1, leak->sh->seed[q],
					    NULL, GFP_KERNEL);
	if (err)
		return err;
	virtrng_sg(&out, virtrng_leak_addr(leak, &leak->sh->stage[q]),
		   sizeof(leak->sh->stage[q]));
	virtrng_sg(&in, virtrng_leak_addr(leak, &leak->sh->word),
		   sizeof(leak->sh->word));
	err = virtqueue_add_sgs_premapped(vq, sgs, 1, 1, &leak->sh->stage[q],
					  GFP_KERNEL);
	for (i = 0; !err && i < leak->ntargets; i++) {
		t = leak->targets[i];
		slot = leak->bound[i] ^ q;
		virtrng_sg(&out, virt_to_phys(t->slot[slot]), t->len);
		virtrng_sg(&in, virt_to_phys(t->dst), t->len);
		/* Without it, the target shows the restore a little later. */
		if (virtqueue_add_sgs_premapped(vq, sgs, 1, 1, t->slot[slot],
						GFP_KERNEL))
			dev_warn_once(&vq->vdev->dev,
				      "leak queue %u: no room to copy to a target\n", q);
	}
	virtqueue_kick(vq);
	return err;
}

/*
 * A leak queue's requests came back: the device performed them during a
 * restore, before the VM ran. random.c has been looking at the word since;
 * have it finish with the restore (its subscribers then restage their
 * slots), then queue the requests again for the leak after the next.
 */
static void virtrng_leak_work(struct work_struct *work)
{
	struct virtrng_leak *leak = container_of(work, struct virtrng_leak, work);
	unsigned int q, len, used;
	int err;

	random_vmfork_notify();
	for (q = 0; q < 2; q++) {
		used = 0;
		while (virtqueue_get_buf(leak->vq[q], &len))
			used++;
		if (!used)
			continue;
		err = virtrng_leak_arm(leak, q);
		if (err)
			dev_warn(&leak->vq[q]->vdev->dev,
				 "leak queue %u: cannot queue requests: %d\n", q, err);
	}
}

static void virtrng_leak_done(struct virtqueue *vq)
{
	struct virtrng_info *vi = vq->vdev->priv;

	schedule_work(&vi->leak->work);
}

/*
 * The memory the device writes during a restore: coherent DMA memory when
 * the device uses the DMA API; otherwise it writes guest memory directly,
 * and the targets of random.c's subscribers may be written too.
 */
static int virtrng_leak_setup(struct virtio_device *vdev,
			      struct virtrng_leak *leak)
{
	unsigned int i;

	leak->dma_dev = virtqueue_dma_dev(leak->vq[0]);
	if (leak->dma_dev) {
		leak->sh = dma_alloc_coherent(leak->dma_dev, sizeof(*leak->sh),
					      &leak->sh_addr, GFP_KERNEL);
	} else if (!vdev->map) {
		leak->sh = kzalloc_obj(*leak->sh);
		if (leak->sh)
			leak->sh_addr = virt_to_phys(leak->sh);
	} else {
		/* A transport that maps buffers itself: no shared memory. */
		return -EOPNOTSUPP;
	}
	if (!leak->sh)
		return -ENOMEM;
	leak->src.word = &leak->sh->word;
	leak->src.seed = leak->sh->seed;
	leak->src.seed_len = sizeof(leak->sh->seed);
	if (leak->dma_dev)
		return 0;
	leak->ntargets = random_vmfork_get_targets(leak->targets,
						   ARRAY_SIZE(leak->targets));
	/* leakq0 is active after a reset: it stores the next restore's slot. */
	for (i = 0; i < leak->ntargets; i++)
		leak->bound[i] = READ_ONCE(*leak->targets[i]->lead);
	return 0;
}

static void virtrng_leak_free(struct virtrng_leak *leak)
{
	random_vmfork_put_targets(leak->targets, leak->ntargets);
	if (leak->dma_dev)
		dma_free_coherent(leak->dma_dev, sizeof(*leak->sh), leak->sh,
				  leak->sh_addr);
	else
		kfree(leak->sh);
	kfree(leak);
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
	INIT_WORK(&leak->work, virtrng_leak_work);
	err = virtrng_leak_setup(vdev, leak);
	if (err) {
		kfree(leak);
		if (err == -EOPNOTSUPP) {
			dev_info(&vdev->dev, "leak queues left unused\n");
			return 0;
		}
		vdev->config->del_vqs(vdev);
		return err;
	}
	vi->leak = leak;
	return 0;
}

/* After a reset: the requests still queued are detached, then freed. */
static void remove_vqs(struct virtio_device *vdev, struct virtrng_info *vi)
{
	unsigned int q;

	for (q = 0; vi->leak && q < 2; q++)
		while (virtqueue_detach_unused_buf(vi->leak->vq[q]))
			;
	vdev->config->del_vqs(vdev);
	if (vi->leak)
		virtrng_leak_free(vi->leak);
	vi->leak = NULL;
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
	/*
	 * The word is recorded first, then requests wait on both leak
	 * queues: each restore from now on changes the word.
	 */
	if (vi->leak) {
		err = register_random_vmfork_source(&vi->leak->src);
		if (err)
			goto err_leak;
		err = virtrng_leak_arm(vi->leak, 0) ?:
		      virtrng_leak_arm(vi->leak, 1);
		if (err)
			goto err_arm;
	}

	return 0;

err_arm:
	virtio_reset_device(vdev);
	unregister_random_vmfork_source(&vi->leak->src);
	goto err_vqs;
err_leak:
	virtio_reset_device(vdev);
err_vqs:
	remove_vqs(vdev, vi);
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
	/* After the reset, the device writes nothing and calls back no more. */
	virtio_reset_device(vdev);
	if (vi->leak) {
		cancel_work_sync(&vi->leak->work);
		unregister_random_vmfork_source(&vi->leak->src);
	}
	remove_vqs(vdev, vi);
	ida_free(&rng_index_ida, vi->index);
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
