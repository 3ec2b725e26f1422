// SPDX-License-Identifier: GPL-2.0
/*
 * System Generation ID
 *
 * /dev/sysgenid exposes a 32-bit generation counter that changes every time
 * the system is restored from a snapshot (a VM Generation ID change, or a
 * container restore that asks for it). Userspace learns about the change by
 * reading or polling the device, or by looking at a read-only shared page,
 * and acknowledges it by writing the new generation back. A control plane can
 * wait until every watcher that opted into tracking has acknowledged.
 *
 * See Documentation/misc-devices/sysgenid.rst.
 */

#include <linux/capability.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/jiffies.h>
#include <linux/kobject.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/sysfs.h>
#include <linux/sysgenid.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <kunit/visibility.h>

#include "sysgenid_internal.h"

/**
 * sysgenid_next_generation() - the generation a bump produces
 * @cur:	the current generation
 * @min_gen:	the lowest acceptable result
 *
 * Return: max(@cur + 1, @min_gen), computed in unsigned 32-bit arithmetic,
 * so that @cur + 1 wraps to 0. A bump must always change the generation: in
 * the single case where that maximum equals @cur (@cur == @min_gen ==
 * U32_MAX) the result is @cur + 1, that is 0.
 */
VISIBLE_IF_KUNIT u32 sysgenid_next_generation(u32 cur, u32 min_gen)
{
	u32 next = max(cur + 1, min_gen);

	return next == cur ? cur + 1 : next;
}
EXPORT_SYMBOL_IF_KUNIT(sysgenid_next_generation);

/*
 * Move to a new generation: every tracked watcher becomes outdated, in O(1),
 * since a watcher is outdated exactly when the bump count it acknowledged
 * differs from the current one.
 *
 * The shared page is written under @st->lock, before any waiter is woken.
 * read(), poll() and WAIT_WATCHERS decide under the same lock whether a file
 * is outdated, so a task that learnt about the new generation from any of
 * them and then loads the page sees the new value: the lock's release here
 * pairs with its acquisition there. Loads of the page that are not preceded
 * by such a call have no ordering guarantee; see the documentation.
 */
VISIBLE_IF_KUNIT u32 sysgenid_state_bump(struct sysgenid_state *st, u32 min_gen)
{
	u32 gen;

	scoped_guard(spinlock_irqsave, &st->lock) {
		gen = sysgenid_next_generation(st->generation, min_gen);
		WRITE_ONCE(st->generation, gen);
		WRITE_ONCE(st->seq, st->seq + 1);
		if (st->page)
			WRITE_ONCE(*st->page, gen);
		WRITE_ONCE(st->outdated, st->tracked);
	}
	wake_up_all(&st->read_wq);
	wake_up_all(&st->outdated_wq);
	return gen;
}
EXPORT_SYMBOL_IF_KUNIT(sysgenid_state_bump);

VISIBLE_IF_KUNIT void sysgenid_watcher_open(struct sysgenid_state *st,
					    struct sysgenid_watcher *w)
{
	guard(spinlock_irqsave)(&st->lock);
	w->acked = st->seq;
	w->tracked = false;
}
EXPORT_SYMBOL_IF_KUNIT(sysgenid_watcher_open);

/* Returns whether the last outdated tracked watcher went away. */
static bool sysgenid_untrack_locked(struct sysgenid_state *st,
				    struct sysgenid_watcher *w)
{
	lockdep_assert_held(&st->lock);
	if (!w->tracked)
		return false;
	w->tracked = false;
	st->tracked--;
	if (w->acked == st->seq)
		return false;
	WRITE_ONCE(st->outdated, st->outdated - 1);
	return !st->outdated;
}

VISIBLE_IF_KUNIT void sysgenid_watcher_release(struct sysgenid_state *st,
					       struct sysgenid_watcher *w)
{
	bool wake;

	scoped_guard(spinlock_irqsave, &st->lock)
		wake = sysgenid_untrack_locked(st, w);
	if (wake)
		wake_up_all(&st->outdated_wq);
}
EXPORT_SYMBOL_IF_KUNIT(sysgenid_watcher_release);

VISIBLE_IF_KUNIT void sysgenid_watcher_set_tracking(struct sysgenid_state *st,
						    struct sysgenid_watcher *w, bool on)
{
	bool wake = false;

	scoped_guard(spinlock_irqsave, &st->lock) {
		if (!on) {
			wake = sysgenid_untrack_locked(st, w);
		} else if (!w->tracked) {
			w->tracked = true;
			st->tracked++;
			if (w->acked != st->seq)
				WRITE_ONCE(st->outdated, st->outdated + 1);
		}
	}
	if (wake)
		wake_up_all(&st->outdated_wq);
}
EXPORT_SYMBOL_IF_KUNIT(sysgenid_watcher_set_tracking);

VISIBLE_IF_KUNIT int sysgenid_watcher_ack(struct sysgenid_state *st,
					  struct sysgenid_watcher *w, u32 gen)
{
	bool wake = false;

	scoped_guard(spinlock_irqsave, &st->lock) {
		if (gen != st->generation)
			return -EINVAL;
		if (w->acked == st->seq)
			return 0;
		/* Paired with the lockless READ_ONCE() in the wait conditions. */
		WRITE_ONCE(w->acked, st->seq);
		if (w->tracked) {
			WRITE_ONCE(st->outdated, st->outdated - 1);
			wake = !st->outdated;
		}
	}
	if (wake)
		wake_up_all(&st->outdated_wq);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(sysgenid_watcher_ack);

/* Whether @w has not acknowledged the current generation, returned in @gen. */
VISIBLE_IF_KUNIT bool sysgenid_watcher_outdated(struct sysgenid_state *st,
						struct sysgenid_watcher *w, u32 *gen)
{
	guard(spinlock_irqsave)(&st->lock);
	*gen = st->generation;
	return w->acked != st->seq;
}
EXPORT_SYMBOL_IF_KUNIT(sysgenid_watcher_outdated);

/*
 * Lockless checks for wait_event(); the verdict is taken again under the
 * lock, so a torn 64-bit load on a 32-bit machine only costs a loop.
 */
static bool sysgenid_read_done(struct sysgenid_state *st,
			       struct sysgenid_watcher *w)
{
	return READ_ONCE(w->acked) != READ_ONCE(st->seq);
}

static bool sysgenid_wait_done(struct sysgenid_state *st,
			       struct sysgenid_watcher *w)
{
	return !READ_ONCE(st->outdated) || sysgenid_read_done(st, w);
}

static struct sysgenid_device {
	struct sysgenid_state st;
	struct miscdevice misc;
	struct work_struct notify_work;
} sysgenid;

/**
 * sysgenid_bump_generation() - move the system generation forward by one
 *
 * Called by backends that detect a snapshot restore, such as vmgenid. Safe
 * in any context that may call wake_up(): process context, softirqs and
 * interrupt handlers, with interrupts disabled or not. It never sleeps: the
 * uevent and the sysfs notification are sent from a work item. Not for
 * raw-only contexts (HRTIMER_MODE_HARD callbacks, IRQF_NO_THREAD handlers)
 * on PREEMPT_RT, where the spinlocks it takes sleep.
 */
void sysgenid_bump_generation(void)
{
	sysgenid_state_bump(&sysgenid.st, 0);
	schedule_work(&sysgenid.notify_work);
}
EXPORT_SYMBOL_GPL(sysgenid_bump_generation);

static void sysgenid_notify(struct work_struct *work)
{
	struct device *dev = sysgenid.misc.this_device;
	char env[sizeof("SYSGENID=4294967295")];
	char *envp[2] = { env, NULL };

	/* Nothing to tell before misc_register() succeeded. */
	if (IS_ERR_OR_NULL(dev))
		return;
	snprintf(env, sizeof(env), "SYSGENID=%u", READ_ONCE(sysgenid.st.generation));
	kobject_uevent_env(&dev->kobj, KOBJ_CHANGE, envp);
	sysfs_notify(&dev->kobj, NULL, "generation");
}

static int sysgenid_open(struct inode *inode, struct file *file)
{
	struct sysgenid_watcher *w;

	w = kzalloc_obj(*w);
	if (!w)
		return -ENOMEM;
	sysgenid_watcher_open(&sysgenid.st, w);
	file->private_data = w;
	return 0;
}

static int sysgenid_release(struct inode *inode, struct file *file)
{
	struct sysgenid_watcher *w = file->private_data;

	sysgenid_watcher_release(&sysgenid.st, w);
	kfree(w);
	return 0;
}

static ssize_t sysgenid_read(struct file *file, char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	struct sysgenid_watcher *w = file->private_data;
	struct sysgenid_state *st = &sysgenid.st;
	u32 gen;
	int ret;

	if (!count)
		return 0;
	if (count < sizeof(gen))
		return -EINVAL;

	while (!sysgenid_watcher_outdated(st, w, &gen)) {
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		ret = wait_event_interruptible(st->read_wq,
					       sysgenid_read_done(st, w));
		if (ret)
			return ret;
	}

	if (copy_to_user(ubuf, &gen, sizeof(gen)))
		return -EFAULT;
	return sizeof(gen);
}

static ssize_t sysgenid_write(struct file *file, const char __user *ubuf,
			      size_t count, loff_t *ppos)
{
	struct sysgenid_watcher *w = file->private_data;
	u32 gen;
	int ret;

	if (count != sizeof(gen))
		return -EINVAL;
	if (copy_from_user(&gen, ubuf, sizeof(gen)))
		return -EFAULT;

	ret = sysgenid_watcher_ack(&sysgenid.st, w, gen);
	return ret ?: sizeof(gen);
}

static __poll_t sysgenid_poll(struct file *file, poll_table *wait)
{
	struct sysgenid_watcher *w = file->private_data;
	u32 gen;

	/*
	 * Queue first, then look: a bump that lands between the two finds us
	 * on the queue and wakes us, as in eventfd_poll().
	 */
	poll_wait(file, &sysgenid.st.read_wq, wait);
	if (sysgenid_watcher_outdated(&sysgenid.st, w, &gen))
		return EPOLLIN | EPOLLRDNORM;
	return 0;
}

/*
 * The page is handed out on fault rather than inserted at mmap() time, so
 * that a mapping whose page table entry was zapped (madvise(MADV_DONTNEED))
 * gets it back on the next load instead of a SIGBUS. The mapping is one page
 * at offset 0, and a live mapping pins the file, hence the module and the
 * page.
 */
static vm_fault_t sysgenid_vm_fault(struct vm_fault *vmf)
{
	struct page *page = virt_to_page(sysgenid.st.page);

	get_page(page);
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct sysgenid_vm_ops = {
	.fault = sysgenid_vm_fault,
};

static int sysgenid_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (vma->vm_pgoff || vma_pages(vma) != 1)
		return -EINVAL;
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	if (vma->vm_flags & VM_WRITE)
		return -EPERM;

	/* Keep it read-only: no mprotect(PROT_WRITE), no mremap growth. */
	vm_flags_mod(vma, VM_DONTEXPAND, VM_MAYWRITE);
	vma->vm_ops = &sysgenid_vm_ops;
	return 0;
}

static long sysgenid_wait_watchers(struct sysgenid_watcher *w,
				   unsigned long timeout_ms)
{
	struct sysgenid_state *st = &sysgenid.st;
	long left = timeout_ms > UINT_MAX ? MAX_JIFFY_OFFSET :
		    msecs_to_jiffies(timeout_ms);
	long ret;
	u32 gen;

	for (;;) {
		if (!timeout_ms)
			ret = wait_event_interruptible(st->outdated_wq,
						       sysgenid_wait_done(st, w));
		else
			ret = wait_event_interruptible_timeout(st->outdated_wq,
							       sysgenid_wait_done(st, w),
							       left);

		/* Never wait on ourselves: handle the new generation first. */
		if (sysgenid_watcher_outdated(st, w, &gen))
			return -EINTR;
		scoped_guard(spinlock_irqsave, &st->lock) {
			if (!st->outdated)
				return 0;
		}
		if (ret < 0)
			return -EINTR;
		if (timeout_ms && !ret)
			return -ETIME;
		/*
		 * Woken, but an outdated watcher enabled tracking before we
		 * looked: wait on, for what is left of the timeout.
		 */
		if (timeout_ms)
			left = ret;
	}
}

static long sysgenid_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	struct sysgenid_watcher *w = file->private_data;

	switch (cmd) {
	case SYSGENID_SET_WATCHER_TRACKING:
		if (arg > 1)
			return -EINVAL;
		sysgenid_watcher_set_tracking(&sysgenid.st, w, arg);
		return 0;
	case SYSGENID_WAIT_WATCHERS:
		return sysgenid_wait_watchers(w, arg);
	case SYSGENID_TRIGGER_GEN_UPDATE:
		/* The counter is machine-wide: ask the initial namespace. */
		if (!checkpoint_restore_ns_capable(&init_user_ns))
			return -EPERM;
		if (arg > U32_MAX)
			return -EINVAL;
		sysgenid_state_bump(&sysgenid.st, arg);
		schedule_work(&sysgenid.notify_work);
		return 0;
	default:
		return -ENOTTY;
	}
}

static const struct file_operations sysgenid_fops = {
	.owner		= THIS_MODULE,
	.open		= sysgenid_open,
	.release	= sysgenid_release,
	.read		= sysgenid_read,
	.write		= sysgenid_write,
	.poll		= sysgenid_poll,
	.mmap		= sysgenid_mmap,
	.unlocked_ioctl	= sysgenid_ioctl,
	/* Every argument is passed by value: no translation needed. */
	.compat_ioctl	= sysgenid_ioctl,
	.llseek		= noop_llseek,
};

static ssize_t generation_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(sysgenid.st.generation));
}
static DEVICE_ATTR_RO(generation);

static struct attribute *sysgenid_attrs[] = {
	&dev_attr_generation.attr,
	NULL
};
ATTRIBUTE_GROUPS(sysgenid);

static struct sysgenid_device sysgenid = {
	.st = {
		.lock = __SPIN_LOCK_UNLOCKED(sysgenid.st.lock),
		.read_wq = __WAIT_QUEUE_HEAD_INITIALIZER(sysgenid.st.read_wq),
		.outdated_wq = __WAIT_QUEUE_HEAD_INITIALIZER(sysgenid.st.outdated_wq),
	},
	.misc = {
		.minor	= MISC_DYNAMIC_MINOR,
		.name	= "sysgenid",
		.fops	= &sysgenid_fops,
		.groups	= sysgenid_groups,
		.mode	= 0666,
	},
	.notify_work = __WORK_INITIALIZER(sysgenid.notify_work, sysgenid_notify),
};

static int __init sysgenid_init(void)
{
	u32 *page;
	int ret;

	page = (u32 *)get_zeroed_page(GFP_KERNEL);
	if (!page)
		return -ENOMEM;
	scoped_guard(spinlock_irqsave, &sysgenid.st.lock) {
		*page = sysgenid.st.generation;
		sysgenid.st.page = page;
	}

	ret = misc_register(&sysgenid.misc);
	if (ret) {
		/* A built-in backend may still bump: it must not see the page. */
		scoped_guard(spinlock_irqsave, &sysgenid.st.lock)
			sysgenid.st.page = NULL;
		free_page((unsigned long)page);
	}
	return ret;
}

static void __exit sysgenid_exit(void)
{
	/* No bump can come any more: backends and open files pin the module. */
	cancel_work_sync(&sysgenid.notify_work);
	misc_deregister(&sysgenid.misc);
	free_page((unsigned long)sysgenid.st.page);
}

module_init(sysgenid_init);
module_exit(sysgenid_exit);

MODULE_AUTHOR("The sysgenid authors");
MODULE_DESCRIPTION("System Generation ID");
MODULE_LICENSE("GPL");
