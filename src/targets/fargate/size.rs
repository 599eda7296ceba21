//! Fargate task sizes: the smallest valid task-level cpu/memory pair that covers a workload's limits.
//!
//! The table is AWS's (Amazon ECS Developer Guide, "Task size"; the same as
//! `shared/reference/fargate-task-sizes.json`): Linux tasks, cpu in CPU units (1024 = 1 vCPU), memory
//! in MiB. Requests larger than the largest task are rejected before emission (IAC036), so every
//! workload that reaches a target has a size.

use crate::ir::Compute;
use crate::model::quantity::Cpu;

/// Largest Fargate task: 16 vCPU (in millicores, as the model writes CPU)...
pub const MAX_CPU_MILLIS: u32 = 16_000;
/// ... and 120 GiB of memory, in MiB. Larger workloads are IAC036 (`fargate::checks`).
pub const MAX_MEMORY_MIB: u32 = 122_880;

/// Memory choices of one cpu row: an explicit list or an inclusive range with a step.
enum Memories {
    List(&'static [u32]),
    Range { min: u32, max: u32, step: u32 },
}

const TABLE: [(u32, Memories); 7] = [
    (256, Memories::List(&[512, 1024, 2048])),
    (512, Memories::List(&[1024, 2048, 3072, 4096])),
    (1024, Memories::List(&[2048, 3072, 4096, 5120, 6144, 7168, 8192])),
    (2048, Memories::Range { min: 4096, max: 16_384, step: 1024 }),
    (4096, Memories::Range { min: 8192, max: 30_720, step: 1024 }),
    (8192, Memories::Range { min: 16_384, max: 61_440, step: 4096 }),
    (16_384, Memories::Range { min: 32_768, max: 122_880, step: 8192 }),
];

/// A Fargate task size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TaskSize {
    /// CPU units (1024 = 1 vCPU).
    pub cpu: u32,
    /// MiB.
    pub memory: u32,
}

/// CPU units for `cpu`, rounded up so the units never cover less than the model asked for.
pub fn cpu_units(cpu: Cpu) -> u32 {
    (u64::from(cpu.millis) * 1024).div_ceil(1000) as u32
}

/// The smallest task (fewest CPU units, then least memory) with at least `cpu` units and `memory`
/// MiB; `None` when no Fargate task is that large.
pub fn smallest(cpu: u32, memory: u32) -> Option<TaskSize> {
    for (row_cpu, memories) in &TABLE {
        if *row_cpu < cpu {
            continue;
        }
        let fits = match memories {
            Memories::List(list) => list.iter().copied().find(|m| *m >= memory),
            Memories::Range { min, max, step } => {
                let wanted = memory.max(*min);
                let rounded = min + (wanted - min).div_ceil(*step) * step;
                (rounded <= *max).then_some(rounded)
            }
        };
        if let Some(memory) = fits {
            return Some(TaskSize { cpu: *row_cpu, memory });
        }
    }
    None
}

/// The task size that covers a workload's limits.
pub fn for_compute(compute: &Compute) -> Option<TaskSize> {
    smallest(cpu_units(compute.cpu_limit), compute.memory_limit.mebibytes)
}

/// `dox-auth 250m/512Mi -> 256/512`: how a workload was rounded, for comments and notes.
pub fn describe(name: &str, compute: &Compute, size: TaskSize) -> String {
    format!(
        "{name} {}/{} -> {}/{}",
        compute.cpu_limit.kubernetes(),
        compute.memory_limit.kubernetes(),
        size.cpu,
        size.memory
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(cpu: u32, memory: u32) -> Option<(u32, u32)> {
        smallest(cpu, memory).map(|size| (size.cpu, size.memory))
    }

    #[test]
    fn converts_millicores_to_units_rounding_up() {
        assert_eq!(cpu_units(Cpu { millis: 250 }), 256);
        assert_eq!(cpu_units(Cpu { millis: 500 }), 512);
        assert_eq!(cpu_units(Cpu { millis: 200 }), 205);
        assert_eq!(cpu_units(Cpu { millis: 1 }), 2);
        assert_eq!(cpu_units(Cpu { millis: 16_000 }), 16_384);
    }

    #[test]
    fn picks_the_smallest_covering_pair() {
        assert_eq!(pair(256, 512), Some((256, 512)));
        assert_eq!(pair(205, 256), Some((256, 512)));
        assert_eq!(pair(512, 1024), Some((512, 1024)));
        assert_eq!(pair(256, 3072), Some((512, 3072)));
        assert_eq!(pair(1024, 1024), Some((1024, 2048)));
        assert_eq!(pair(1024, 9000), Some((2048, 9216)));
        assert_eq!(pair(2048, 100), Some((2048, 4096)));
        assert_eq!(pair(4096, 31_000), Some((8192, 32_768)));
        assert_eq!(pair(8192, 16_385), Some((8192, 20_480)));
        assert_eq!(pair(16_384, 122_880), Some((16_384, 122_880)));
        assert_eq!(pair(16_384, 1), Some((16_384, 32_768)));
    }

    #[test]
    fn refuses_what_no_task_offers() {
        assert_eq!(pair(16_385, 1024), None);
        assert_eq!(pair(256, 122_881), None);
    }

    #[test]
    fn every_request_within_the_validated_maximum_has_a_size() {
        // IAC036 rejects more than 16 vCPU (16000m) or 120Gi; everything up to that must fit.
        let cpu = cpu_units(Cpu { millis: MAX_CPU_MILLIS });
        let memory = MAX_MEMORY_MIB;
        assert!(smallest(cpu, memory).is_some());
        for memory in (1..=memory).step_by(997) {
            for cpu in [1, 256, 257, 1024, 4097, 8193, cpu] {
                assert!(smallest(cpu, memory).is_some(), "{cpu}/{memory}");
            }
        }
    }
}
