//! The inference backend: tract (pure Rust, always there) or ONNX Runtime (found at run time).
//!
//! `ort` talks to a backend through one global API table, so the backend is chosen once per
//! process by [`init`]. ONNX Runtime is loaded with `libloading` from, in order: the path given
//! (`--ort-lib`), `ORT_DYLIB_PATH`, or the `libonnxruntime.so.*` inside an installed
//! `onnxruntime` Python wheel (in `$VIRTUAL_ENV`, `./.venv`, the `.venv` of the repository the
//! binary was built in, `~/.local`, pyenv versions, `/usr/local`, `/usr`).

#![allow(unsafe_code)] // loading a C library and reading its API table

use std::ffi::CStr;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use serde::Serialize;

use crate::error::DetectError;

/// Which backend to use.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BackendChoice {
    /// ONNX Runtime when it can be found, else tract.
    #[default]
    Auto,
    Tract,
    OnnxRuntime,
}

/// The backend in use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BackendKind {
    Tract,
    #[serde(rename = "onnxruntime")]
    OnnxRuntime,
}

impl BackendKind {
    /// The name used in reports: `tract` or `onnxruntime`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            BackendKind::Tract => "tract",
            BackendKind::OnnxRuntime => "onnxruntime",
        }
    }
}

/// The backend this process uses.
#[derive(Debug)]
pub struct ActiveBackend {
    pub kind: BackendKind,
    /// The ONNX Runtime library loaded, if any.
    pub library: Option<PathBuf>,
    /// ONNX Runtime's version string, if any.
    pub version: Option<String>,
    /// A note for the user when `auto` chose tract: how to get the faster backend.
    pub note: Option<String>,
    environment: ort::environment::Environment,
}

// SAFETY-free: the environment is only used to create sessions, which ort allows from any thread.
static ACTIVE: OnceLock<ActiveBackend> = OnceLock::new();
static INIT_LOCK: Mutex<()> = Mutex::new(());

/// The ONNX Runtime minor version whose C API this build targets at least (API 24 = 1.24).
const MIN_ORT_MINOR: u32 = 24;

/// How to get ONNX Runtime, for messages.
pub const ORT_HINT: &str = "install it with `pip install onnxruntime==1.31.1` \
                            (into ./.venv or any active virtual environment), \
                            or pass --ort-lib /path/to/libonnxruntime.so, or set ORT_DYLIB_PATH";

impl ActiveBackend {
    pub(crate) fn environment(&self) -> &ort::environment::Environment {
        &self.environment
    }
}

/// The backend already chosen in this process, if any.
#[must_use]
pub fn active() -> Option<&'static ActiveBackend> {
    ACTIVE.get()
}

/// Chooses and starts the backend for this process. Calling it again with a compatible choice
/// returns the backend already in use; asking for another backend is an error.
///
/// # Errors
/// [`DetectError::Backend`] when ONNX Runtime was asked for (or a library path given) and cannot
/// be loaded, or when another backend is already in use.
pub fn init(
    choice: BackendChoice,
    ort_lib: Option<&Path>,
) -> Result<&'static ActiveBackend, DetectError> {
    let _guard = INIT_LOCK
        .lock()
        .map_err(|_| DetectError::Backend("backend initialisation lock poisoned".into()))?;
    if let Some(active) = ACTIVE.get() {
        let compatible = match choice {
            BackendChoice::Auto => ort_lib.is_none() || active.library.as_deref() == ort_lib,
            BackendChoice::Tract => active.kind == BackendKind::Tract,
            BackendChoice::OnnxRuntime => active.kind == BackendKind::OnnxRuntime,
        };
        if compatible {
            return Ok(active);
        }
        return Err(DetectError::Backend(format!(
            "this process already uses the {} backend; one backend per process",
            active.kind.as_str()
        )));
    }
    let (kind, library, version, note) = match choice {
        BackendChoice::Tract => {
            ort::set_api(ort_tract::api());
            (BackendKind::Tract, None, None, None)
        }
        BackendChoice::OnnxRuntime => {
            let path = locate_onnxruntime(ort_lib).ok_or_else(|| {
                DetectError::Backend(format!("ONNX Runtime library not found: {ORT_HINT}"))
            })?;
            let version = load_onnxruntime(&path)?;
            (BackendKind::OnnxRuntime, Some(path), Some(version), None)
        }
        BackendChoice::Auto => {
            match locate_onnxruntime(ort_lib) {
                Some(path) => {
                    match load_onnxruntime(&path) {
                        Ok(version) => (BackendKind::OnnxRuntime, Some(path), Some(version), None),
                        // A library named explicitly must work; one found by search may be stale.
                        Err(e)
                            if ort_lib.is_some()
                                || std::env::var_os("ORT_DYLIB_PATH").is_some() =>
                        {
                            return Err(e)
                        }
                        Err(e) => {
                            ort::set_api(ort_tract::api());
                            (
                                BackendKind::Tract,
                                None,
                                None,
                                Some(format!(
                                    "ONNX Runtime found but unusable ({e}); \
                                     using tract. {ORT_HINT}"
                                )),
                            )
                        }
                    }
                }
                None => {
                    ort::set_api(ort_tract::api());
                    (
                        BackendKind::Tract,
                        None,
                        None,
                        Some(format!(
                            "using the tract backend (pure Rust). \
                             For the faster ONNX Runtime backend, {ORT_HINT}"
                        )),
                    )
                }
            }
        }
    };
    let environment = ort::init()
        .with_name("armscan")
        .build()
        .map_err(DetectError::ort("creating the environment"))?;
    let active = ActiveBackend {
        kind,
        library,
        version,
        note,
        environment,
    };
    Ok(ACTIVE.get_or_init(|| active))
}

/// Finds a `libonnxruntime` shared library: the explicit path, `ORT_DYLIB_PATH`, or a search of
/// Python environments for the `onnxruntime` wheel's copy.
#[must_use]
pub fn locate_onnxruntime(explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = explicit {
        return Some(p.to_owned());
    }
    if let Some(p) = std::env::var_os("ORT_DYLIB_PATH").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let mut prefixes: Vec<PathBuf> = Vec::new();
    if let Some(v) = std::env::var_os("VIRTUAL_ENV") {
        prefixes.push(PathBuf::from(v));
    }
    prefixes.push(PathBuf::from(".venv"));
    if let Ok(exe) = std::env::current_exe() {
        // target/{debug,release}/armscan (or target/*/deps/test) -> the repository's .venv
        for ancestor in exe.ancestors().skip(1).take(4) {
            prefixes.push(ancestor.join(".venv"));
        }
    }
    if let Some(home) = std::env::var_os("HOME").map(PathBuf::from) {
        prefixes.push(home.join(".local"));
        if let Ok(rd) = std::fs::read_dir(home.join(".pyenv/versions")) {
            let mut versions: Vec<PathBuf> = rd.filter_map(Result::ok).map(|e| e.path()).collect();
            versions.sort();
            prefixes.extend(versions.into_iter().rev());
        }
    }
    prefixes.push(PathBuf::from("/usr/local"));
    prefixes.push(PathBuf::from("/usr"));
    prefixes.iter().find_map(|prefix| find_in_prefix(prefix))
}

fn find_in_prefix(prefix: &Path) -> Option<PathBuf> {
    let lib = prefix.join("lib");
    let mut pythons: Vec<PathBuf> = std::fs::read_dir(&lib)
        .ok()?
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with("python3"))
        .map(|e| e.path())
        .collect();
    pythons.sort();
    for py in pythons.iter().rev() {
        for site in ["site-packages", "dist-packages"] {
            let capi = py.join(site).join("onnxruntime").join("capi");
            let Ok(rd) = std::fs::read_dir(&capi) else {
                continue;
            };
            let mut libs: Vec<PathBuf> = rd
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with("libonnxruntime.so"))
                })
                .collect();
            // Prefer the fully versioned file (libonnxruntime.so.1.31.1) over links.
            libs.sort_by_key(|p| std::cmp::Reverse(p.as_os_str().len()));
            if let Some(found) = libs.into_iter().next() {
                return Some(found);
            }
        }
    }
    None
}

/// Loads ONNX Runtime from `path` and installs its API table for `ort`. Returns its version.
fn load_onnxruntime(path: &Path) -> Result<String, DetectError> {
    let fail = |what: String| DetectError::Backend(format!("{}: {what}", path.display()));
    if !path.is_file() {
        return Err(fail(format!("no such file. {ORT_HINT}")));
    }
    // SAFETY: loading a shared library runs its initialisers; we load only a file the user or
    // the environment named as ONNX Runtime. The library is leaked below and never unloaded,
    // so the API table's function pointers stay valid for the life of the process.
    let library =
        unsafe { libloading::Library::new(path) }.map_err(|e| fail(format!("cannot load: {e}")))?;
    let library: &'static libloading::Library = Box::leak(Box::new(library));
    // SAFETY: `OrtGetApiBase` has this signature in every ONNX Runtime release.
    let get_base: libloading::Symbol<'_, unsafe extern "C" fn() -> *const ort_sys::OrtApiBase> =
        unsafe { library.get(b"OrtGetApiBase") }
            .map_err(|_| fail("not an ONNX Runtime library (no OrtGetApiBase)".into()))?;
    // SAFETY: calling the library's documented entry point; it returns a static table or null.
    let base = unsafe { get_base() };
    if base.is_null() {
        return Err(fail("OrtGetApiBase returned null".into()));
    }
    // SAFETY: `base` is non-null and points to the library's static OrtApiBase.
    let version_ptr = unsafe { ((*base).GetVersionString)() };
    if version_ptr.is_null() {
        return Err(fail("no version string".into()));
    }
    // SAFETY: ONNX Runtime returns a static NUL-terminated string.
    let version = unsafe { CStr::from_ptr(version_ptr) }
        .to_string_lossy()
        .into_owned();
    let minor = version
        .split('.')
        .nth(1)
        .and_then(|m| m.parse::<u32>().ok())
        .unwrap_or(0);
    if !version.starts_with("1.") || minor < MIN_ORT_MINOR {
        return Err(fail(format!(
            "ONNX Runtime {version} is too old; \
             1.{MIN_ORT_MINOR} or newer is needed (1.31.1 recommended)"
        )));
    }
    // SAFETY: GetApi returns the table for the API version this build of ort-sys was generated for,
    // or null when the library does not support it.
    let api = unsafe { ((*base).GetApi)(ort_sys::ORT_API_VERSION) };
    if api.is_null() {
        return Err(fail(format!(
            "ONNX Runtime {version} does not provide C API version {}",
            ort_sys::ORT_API_VERSION
        )));
    }
    // SAFETY: `api` is non-null and points to a static table at least as large as `OrtApi`
    // for the requested version; we copy it.
    let table = unsafe { std::ptr::read(api) };
    ort::set_api(table);
    Ok(version)
}
