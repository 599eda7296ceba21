//! What the two targets that run workloads as ECS tasks on Fargate share: the ecs target (JSON task
//! definitions) and the aws target (the same task definitions, registered by Terraform). One
//! container definition ([`container`], written through [`node`] as JSON or HCL), one task size
//! ([`size`]), one schedule expression ([`schedule`]) and one set of limits ([`checks`]), so the two
//! cannot drift apart.

pub mod checks;
pub mod container;
pub mod node;
pub mod schedule;
pub mod size;
