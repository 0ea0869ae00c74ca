//! Running batches of frames through a model.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use ndarray::{Array3, ArrayView4, Ix3};
use ort::memory::Allocator;
use ort::session::builder::GraphOptimizationLevel;
use ort::session::{OutputSelector, RunOptions, Session, SessionOutputs};
use ort::value::{Tensor, TensorRef};

use crate::backend::{ActiveBackend, BackendKind};
use crate::error::DetectError;

/// Something that turns a batch of model inputs `[N, C, H, W]` into the model's raw output
/// `[N, A, B]`. The ort implementation is [`OrtRunner`]; the trait is the seam for others.
pub trait FrameRunner: Send + Sync + std::fmt::Debug {
    /// Runs one batch.
    ///
    /// # Errors
    /// [`DetectError::Backend`] when inference fails,
    /// [`DetectError::Output`] on an unexpected shape.
    fn run_batch(&self, input: ArrayView4<'_, f32>) -> Result<Array3<f32>, DetectError>;

    /// The backend that runs the model.
    fn backend(&self) -> BackendKind;
}

/// A pool of ort sessions of one model, so that several frames run at once.
pub struct OrtRunner {
    sessions: Vec<Mutex<Session>>,
    input_name: String,
    output_name: String,
    /// The output's shape as the model declares it (`-1` for a dynamic dimension), when known.
    output_dims: Option<Vec<i64>>,
    kind: BackendKind,
    next: AtomicUsize,
}

impl std::fmt::Debug for OrtRunner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OrtRunner")
            .field("sessions", &self.sessions.len())
            .field("input", &self.input_name)
            .field("output", &self.output_name)
            .field("backend", &self.kind)
            .finish_non_exhaustive()
    }
}

impl OrtRunner {
    /// Builds `sessions` sessions of the model (each with `intra_threads` threads) on the active
    /// backend, and checks that the model has the named input and output.
    ///
    /// # Errors
    /// [`DetectError::Backend`] when a session cannot be built, [`DetectError::Output`] when the
    /// model lacks the named input or output.
    pub fn commit_from_memory(
        backend: &ActiveBackend,
        model_bytes: &[u8],
        input_name: &str,
        output_name: &str,
        sessions: usize,
        intra_threads: usize,
    ) -> Result<Self, DetectError> {
        let mut pool = Vec::with_capacity(sessions.max(1));
        let mut output_dims = None;
        for _ in 0..sessions.max(1) {
            let session = Session::builder(backend.environment())
                .map_err(DetectError::ort("creating a session"))?
                .with_optimization_level(GraphOptimizationLevel::Level3)
                .map_err(DetectError::ort("setting the optimisation level"))?
                .with_intra_threads(intra_threads.max(1))
                .map_err(DetectError::ort("setting the session's threads"))?
                .commit_from_memory(model_bytes)
                .map_err(DetectError::ort("loading the model"))?;
            if !session.inputs().iter().any(|i| i.name() == input_name) {
                return Err(DetectError::Output(format!(
                    "the model has no input named `{input_name}`"
                )));
            }
            let Some(output) = session.outputs().iter().find(|o| o.name() == output_name) else {
                return Err(DetectError::Output(format!(
                    "the model has no output named `{output_name}`"
                )));
            };
            output_dims = output.dtype().tensor_shape().map(|shape| shape.to_vec());
            pool.push(Mutex::new(session));
        }
        Ok(Self {
            sessions: pool,
            input_name: input_name.to_owned(),
            output_name: output_name.to_owned(),
            output_dims,
            kind: backend.kind,
            next: AtomicUsize::new(0),
        })
    }

    /// The output's shape for a batch of `batch` frames, when the model fixes every other
    /// dimension.
    fn output_shape(&self, batch: usize) -> Option<Vec<i64>> {
        let dims = self.output_dims.as_ref()?;
        let batch = i64::try_from(batch).ok()?;
        let shape: Vec<i64> = dims
            .iter()
            .enumerate()
            .map(|(i, &d)| if i == 0 { batch } else { d })
            .collect();
        (shape.len() == 3 && shape.iter().all(|&d| d > 0)).then_some(shape)
    }

    /// The named output of one run, copied out.
    fn take_output(&self, outputs: &SessionOutputs<'_>) -> Result<Array3<f32>, DetectError> {
        let value = outputs.get(self.output_name.as_str()).ok_or_else(|| {
            DetectError::Output(format!("no output named `{}`", self.output_name))
        })?;
        let array = value
            .try_extract_array::<f32>()
            .map_err(DetectError::ort("reading the output"))?;
        let array = array.into_dimensionality::<Ix3>().map_err(|e| {
            DetectError::Output(format!("output `{}` is not 3-D: {e}", self.output_name))
        })?;
        Ok(array.to_owned())
    }

    /// Number of sessions in the pool.
    #[must_use]
    pub fn sessions(&self) -> usize {
        self.sessions.len()
    }
}

impl FrameRunner for OrtRunner {
    fn run_batch(&self, input: ArrayView4<'_, f32>) -> Result<Array3<f32>, DetectError> {
        // Take a free session if there is one, else wait on the next in turn.
        let n = self.sessions.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed) % n;
        let mut guard = None;
        for k in 0..n {
            if let Ok(g) = self.sessions[(start + k) % n].try_lock() {
                guard = Some(g);
                break;
            }
        }
        let mut session = match guard {
            Some(g) => g,
            None => self.sessions[start]
                .lock()
                .map_err(|_| DetectError::Backend("a session panicked earlier".into()))?,
        };
        let tensor = TensorRef::from_array_view(input)
            .map_err(DetectError::ort("making the input tensor"))?;
        // ort 2.0.0-rc.14 leaks the type information of every output it allocates itself
        // (`Value::from_session_output_ptr`): about 0.8 KB a run on ONNX Runtime, without end in a
        // long-running server. An output preallocated here is returned as it is, without that
        // call. tract's backend (ort-tract 0.5) replaces preallocated outputs with its own, so
        // it keeps ort's allocation (and ort's smaller leak there: ARCHITECTURE.md, known gaps).
        let preallocated = match self.kind {
            BackendKind::OnnxRuntime => self.output_shape(input.shape()[0]),
            BackendKind::Tract => None,
        };
        match preallocated {
            Some(shape) => {
                let output = Tensor::<f32>::new(&Allocator::default(), shape)
                    .map_err(DetectError::ort("allocating the output"))?;
                let options = RunOptions::new()
                    .map_err(DetectError::ort("making the run options"))?
                    .with_outputs(
                        OutputSelector::no_default()
                            .with(self.output_name.as_str())
                            .preallocate(self.output_name.as_str(), output),
                    );
                let outputs = session
                    .run_with_options(ort::inputs![self.input_name.as_str() => tensor], &options)
                    .map_err(DetectError::ort("running the model"))?;
                self.take_output(&outputs)
            }
            None => {
                let outputs = session
                    .run(ort::inputs![self.input_name.as_str() => tensor])
                    .map_err(DetectError::ort("running the model"))?;
                self.take_output(&outputs)
            }
        }
    }

    fn backend(&self) -> BackendKind {
        self.kind
    }
}
