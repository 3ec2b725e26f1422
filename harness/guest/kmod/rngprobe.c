// SPDX-License-Identifier: GPL-2.0
/*
 * A test module of the harness, not part of the series: /dev/rngprobe
 * hands out what get_random_u64() returns, 8 bytes per value, so that the
 * restore scenarios can compare the kernel's per-CPU batched random numbers
 * (which refill on the CRNG's generation, not through crng_make_state())
 * between clones of one snapshot. It changes nothing in the kernel.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/uaccess.h>

static ssize_t rngprobe_read(struct file *file, char __user *buf, size_t len,
			     loff_t *pos)
{
	size_t done = 0;
	u64 v;

	while (len - done >= sizeof(v)) {
		v = get_random_u64();
		if (copy_to_user(buf + done, &v, sizeof(v)))
			return done ?: -EFAULT;
		done += sizeof(v);
	}
	return done;
}

static const struct file_operations rngprobe_fops = {
	.owner	= THIS_MODULE,
	.read	= rngprobe_read,
};

static struct miscdevice rngprobe = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "rngprobe",
	.fops	= &rngprobe_fops,
	.mode	= 0444,
};
module_misc_device(rngprobe);

MODULE_DESCRIPTION("get_random_u64() for the sysgenid harness's restore scenarios");
MODULE_LICENSE("GPL");
