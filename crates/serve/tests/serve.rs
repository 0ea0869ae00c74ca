//! The serve crate's tests in one binary (each part links the whole inference stack): the
//! console's API in process (`api`), the integrators' `/v1` API (`api_v1`), seizure statistics
//! from the console's decisions (`seizures`), trainer mode (`trainer`), and the console on a
//! watch folder over a real socket (`watch`).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

#[path = "serve/common.rs"]
mod common;

#[path = "serve/api.rs"]
mod api;
#[path = "serve/api_v1.rs"]
mod api_v1;
#[path = "serve/seizures.rs"]
mod seizures;
#[path = "serve/trainer.rs"]
mod trainer;
#[path = "serve/watch.rs"]
mod watch;
