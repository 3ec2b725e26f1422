/* SPDX-License-Identifier: GPL-2.0 */

#ifndef _LINUX_RANDOM_H
#define _LINUX_RANDOM_H

#include <linux/bug.h>
#include <linux/kernel.h>
#include <linux/list.h>

#include <uapi/linux/random.h>

struct module;
struct notifier_block;

void add_device_randomness(const void *buf, size_t len);
void __init add_bootloader_randomness(const void *buf, size_t len);
void add_input_randomness(unsigned int type, unsigned int code,
			  unsigned int value) __latent_entropy;
void add_interrupt_randomness(int irq) __latent_entropy;
void add_hwgenerator_randomness(const void *buf, size_t len, size_t entropy, bool sleep_after);

static inline void add_latent_entropy(void)
{
#if defined(LATENT_ENTROPY_PLUGIN) && !defined(__CHECKER__)
	add_device_randomness((const void *)&latent_entropy, sizeof(latent_entropy));
#else
	add_device_randomness(NULL, 0);
#endif
}

/**
 * struct random_vmfork_source - a device that shows whether the VM was restored
 * @update: for a device that reports a restore with a notification and
 *	an identity the driver can re-read (vmgenid's ID): read it; if it
 *	differs from the one recorded last, mix the new one in with
 *	add_device_randomness(), record it and return true. Called in
 *	process context, serialised with every other source's update(),
 *	once at registration (a change found then is a restore) and then
 *	whenever any source notifies.
 * @word: for a device that writes guest memory before the restored VM's
 *	vCPUs run again: a little-endian 64-bit word that the device
 *	changes on every restore, and only then. random.c compares it with
 *	the value it saw last before it hands out any random byte, and on a
 *	change mixes it and @seed in and reseeds at once.
 * @seed: optional, with @word: @seed_len bytes that the device rewrites
 *	with fresh random bytes on every restore, before @word changes.
 * @seed_len: the length of @seed.
 *
 * A source sets exactly one of @update and @word. The remaining members
 * are private to random.c.
 */
struct random_vmfork_source {
	bool (*update)(struct random_vmfork_source *src);
	const __le64 *word;
	const void *seed;
	size_t seed_len;
	/* private: */
	__le64 seen, pending;
	struct list_head list;
};

/**
 * struct random_vmfork_target - memory that devices may store into during a restore
 * @dst: where a device stores @len bytes, at most 8.
 * @slot: the values to store: @slot[*@lead] at the next restore,
 *	@slot[!*@lead] at the one after, whichever device performs it. The
 *	owner keeps them current; they may change at any time while the VM
 *	runs, so a device must read them when it stores, not before.
 * @len: the size of @dst and of each slot.
 * @lead: which slot the next restore stores; the owner flips it when it
 *	learns that a restore used @slot[*@lead]. A device reads it when
 *	it sets up its requests.
 * @owner: the module that owns the memory; random_vmfork_get_targets()
 *	takes a reference to it.
 *
 * @dst, @slot[0] and @slot[1] are in the kernel's linear map. The
 * remaining member is private to random.c.
 */
struct random_vmfork_target {
	void *dst;
	void *slot[2];
	unsigned int len;
	const unsigned int *lead;
	struct module *owner;
	/* private: */
	struct list_head list;
};

#ifdef CONFIG_RANDOM_VMFORK
int register_random_vmfork_source(struct random_vmfork_source *src);
void unregister_random_vmfork_source(struct random_vmfork_source *src);
void random_vmfork_notify(void);
void random_vmfork_check(void);
void register_random_vmfork_target(struct random_vmfork_target *t);
void unregister_random_vmfork_target(struct random_vmfork_target *t);
unsigned int random_vmfork_get_targets(struct random_vmfork_target **t,
				       unsigned int max);
void random_vmfork_put_targets(struct random_vmfork_target **t, unsigned int n);
int register_random_vmfork_notifier(struct notifier_block *nb);
int unregister_random_vmfork_notifier(struct notifier_block *nb);
#else
static inline void register_random_vmfork_target(struct random_vmfork_target *t) { }
static inline void unregister_random_vmfork_target(struct random_vmfork_target *t) { }
static inline int register_random_vmfork_notifier(struct notifier_block *nb) { return 0; }
static inline int unregister_random_vmfork_notifier(struct notifier_block *nb) { return 0; }
#endif

void get_random_bytes(void *buf, size_t len);
u8 get_random_u8(void);
u16 get_random_u16(void);
u32 get_random_u32(void);
u64 get_random_u64(void);
static inline unsigned long get_random_long(void)
{
#if BITS_PER_LONG == 64
	return get_random_u64();
#else
	return get_random_u32();
#endif
}

u32 __get_random_u32_below(u32 ceil);

/*
 * Returns a random integer in the interval [0, ceil), with uniform
 * distribution, suitable for all uses. Fastest when ceil is a constant, but
 * still fast for variable ceil as well.
 */
static inline u32 get_random_u32_below(u32 ceil)
{
	if (!__builtin_constant_p(ceil))
		return __get_random_u32_below(ceil);

	/*
	 * For the fast path, below, all operations on ceil are precomputed by
	 * the compiler, so this incurs no overhead for checking pow2, doing
	 * divisions, or branching based on integer size. The resultant
	 * algorithm does traditional reciprocal multiplication (typically
	 * optimized by the compiler into shifts and adds), rejecting samples
	 * whose lower half would indicate a range indivisible by ceil.
	 */
	BUILD_BUG_ON_MSG(!ceil, "get_random_u32_below() must take ceil > 0");
	if (ceil <= 1)
		return 0;
	for (;;) {
		if (ceil <= 1U << 8) {
			u32 mult = ceil * get_random_u8();
			if (likely(is_power_of_2(ceil) || (u8)mult >= (1U << 8) % ceil))
				return mult >> 8;
		} else if (ceil <= 1U << 16) {
			u32 mult = ceil * get_random_u16();
			if (likely(is_power_of_2(ceil) || (u16)mult >= (1U << 16) % ceil))
				return mult >> 16;
		} else {
			u64 mult = (u64)ceil * get_random_u32();
			if (likely(is_power_of_2(ceil) || (u32)mult >= -ceil % ceil))
				return mult >> 32;
		}
	}
}

/*
 * Returns a random integer in the interval (floor, U32_MAX], with uniform
 * distribution, suitable for all uses. Fastest when floor is a constant, but
 * still fast for variable floor as well.
 */
static inline u32 get_random_u32_above(u32 floor)
{
	BUILD_BUG_ON_MSG(__builtin_constant_p(floor) && floor == U32_MAX,
			 "get_random_u32_above() must take floor < U32_MAX");
	return floor + 1 + get_random_u32_below(U32_MAX - floor);
}

/*
 * Returns a random integer in the interval [floor, ceil], with uniform
 * distribution, suitable for all uses. Fastest when floor and ceil are
 * constant, but still fast for variable floor and ceil as well.
 */
static inline u32 get_random_u32_inclusive(u32 floor, u32 ceil)
{
	BUILD_BUG_ON_MSG(__builtin_constant_p(floor) && __builtin_constant_p(ceil) &&
			 (floor > ceil || ceil - floor == U32_MAX),
			 "get_random_u32_inclusive() must take floor <= ceil");
	return floor + get_random_u32_below(ceil - floor + 1);
}

void __init random_init_early(const char *command_line);
void __init random_init(void);
bool rng_is_initialized(void);
int wait_for_random_bytes(void);
int execute_with_initialized_rng(struct notifier_block *nb);

/* Calls wait_for_random_bytes() and then calls get_random_bytes(buf, nbytes).
 * Returns the result of the call to wait_for_random_bytes. */
static inline int get_random_bytes_wait(void *buf, size_t nbytes)
{
	int ret = wait_for_random_bytes();
	get_random_bytes(buf, nbytes);
	return ret;
}

#ifdef CONFIG_SMP
int random_prepare_cpu(unsigned int cpu);
int random_online_cpu(unsigned int cpu);
#endif

#ifndef MODULE
extern const struct file_operations random_fops, urandom_fops;
#endif

#endif /* _LINUX_RANDOM_H */
