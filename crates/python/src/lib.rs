//! armscan for Python: `armscan.Screener`, a thin class over [`armscan::Screener`] (the
//! Python package `crates/python/python/armscan` re-exports it with type stubs).
//!
//! `screen` releases the GIL while it screens, so Python threads screen in parallel; it returns
//! the record as a `dict` (`json.loads` of the CLI's `--jsonl` line, which `screen_json` gives
//! as it is, byte for byte but for `elapsed_ms`).

use std::path::PathBuf;

use armscan::{BackendChoice, ScanRecord};
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};

pyo3::create_exception!(
    _armscan,
    ArmscanError,
    PyRuntimeError,
    "armscan could not start."
);

/// A screener: the model loaded once, worker threads of its own.
#[pyclass(module = "armscan", frozen, subclass)]
struct Screener {
    inner: armscan::Screener,
}

/// What to screen: a path (str or os.PathLike) or a file's bytes.
enum Input {
    Path(PathBuf),
    Bytes(Vec<u8>),
}

fn input_of(obj: &Bound<'_, PyAny>) -> PyResult<Input> {
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(Input::Bytes(b.as_bytes().to_vec()));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Input::Path(PathBuf::from(s.extract::<String>()?)));
    }
    if let Ok(p) = obj.extract::<PathBuf>() {
        return Ok(Input::Path(p));
    }
    Err(PyTypeError::new_err(
        "screen: a path (str or os.PathLike) or bytes",
    ))
}

fn line(record: &ScanRecord) -> PyResult<String> {
    let mut out = Vec::new();
    armscan::write_jsonl(&mut out, record).map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
    let mut text = String::from_utf8(out).map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
    if text.ends_with('\n') {
        text.pop();
    }
    Ok(text)
}

#[pymethods]
impl Screener {
    /// `model`: a manifest path (None: the shipped default model); `backend`: "auto",
    /// "tract" or "onnxruntime"; `threads`: worker threads (None: one per core).
    #[new]
    #[pyo3(signature = (model = None, backend = "auto", threads = None))]
    fn new(model: Option<PathBuf>, backend: &str, threads: Option<usize>) -> PyResult<Self> {
        let backend = match backend {
            "auto" => BackendChoice::Auto,
            "tract" => BackendChoice::Tract,
            "onnxruntime" => BackendChoice::OnnxRuntime,
            other => {
                return Err(PyValueError::new_err(format!(
                    "backend: {other:?} (auto, tract or onnxruntime)"
                )))
            }
        };
        if threads == Some(0) {
            return Err(PyValueError::new_err("threads: at least 1"));
        }
        let mut builder = armscan::Screener::builder()
            .with_backend(backend)
            .with_threads(threads);
        if let Some(m) = model {
            builder = builder.with_model(m);
        }
        let inner = builder
            .commit()
            .map_err(|e| ArmscanError::new_err(armscan::error_chain_text(&e)))?;
        Ok(Self { inner })
    }

    /// Screens a scan (a path, or a file's bytes named `name`) and returns its record as the
    /// JSON line `armscan scan --jsonl` prints. An unreadable scan is a record with status
    /// "error", never an exception.
    #[pyo3(signature = (scan, name = None))]
    fn screen_json(
        &self,
        py: Python<'_>,
        scan: &Bound<'_, PyAny>,
        name: Option<String>,
    ) -> PyResult<String> {
        let input = input_of(scan)?;
        let record = py.detach(|| match input {
            Input::Path(p) => self.inner.screen_path(p),
            Input::Bytes(b) => self
                .inner
                .screen_bytes(name.as_deref().unwrap_or("bytes"), &b),
        });
        line(&record)
    }

    /// Screens a dual-energy pair of files (named as `armscan scan` names a pair it finds).
    fn screen_pair_json(&self, py: Python<'_>, high: PathBuf, low: PathBuf) -> PyResult<String> {
        let record = py.detach(|| {
            self.inner
                .screen(&armscan::ScreenRequest::new(armscan::ScanInput::DualPair {
                    high,
                    low,
                }))
                .record
        });
        line(&record)
    }

    /// The model's id, e.g. "armscan-threat-v12".
    #[getter]
    fn model_id(&self) -> String {
        self.inner.model_id().to_owned()
    }

    /// The backend running the model: "tract" or "onnxruntime".
    #[getter]
    fn backend(&self) -> &'static str {
        self.inner.backend_kind().as_str()
    }

    /// The worker threads.
    #[getter]
    fn threads(&self) -> usize {
        self.inner.threads()
    }

    fn __repr__(&self) -> String {
        format!(
            "Screener(model_id={:?}, backend={:?}, threads={})",
            self.inner.model_id(),
            self.inner.backend_kind().as_str(),
            self.inner.threads()
        )
    }
}

#[pymodule]
fn _armscan(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Screener>()?;
    m.add("ArmscanError", m.py().get_type::<ArmscanError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("SCAN_SCHEMA", armscan::SCAN_SCHEMA)?;
    Ok(())
}
