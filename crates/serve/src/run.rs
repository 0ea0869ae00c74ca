//! Running the console: bind, screen (a folder, or a watch folder through `armscan-watch`) on a
//! thread of its own, and serve until stopped.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use armscan::{collect_inputs, ScanInput, ScanRecord, ScreenRequest, Screener};
use armscan_watch::{ScanState, WatchConfig, Watcher, DONE_DIR, RESULTS_DIR};

use crate::api_v1::ApiState;
use crate::app::{loopback_hosts, router, AppState, Guards};
use crate::db::DecisionDb;
use crate::error::ServeError;
use crate::store::{input_sha256, ScanStore};
use crate::trainer::{Trainer, TrainerDb, TrainerLibrary};

/// The shortest access token accepted.
pub const MIN_TOKEN_CHARS: usize = 16;
/// The longest site or lane name, in characters.
pub const MAX_PLACE_CHARS: usize = 64;

/// Where the console's scans come from.
#[derive(Debug)]
#[non_exhaustive]
pub enum Source {
    /// A folder (or file) screened once at start, in walking order.
    Scans(PathBuf),
    /// A scanner's output folder, watched exactly as `armscan watch` does.
    Watch(WatchConfig),
    /// No queue: the `/v1` API alone (`armscan serve --api-only`).
    ApiOnly,
}

/// How the console is served.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ServeOptions {
    /// Where to listen; loopback unless a token is given.
    pub addr: SocketAddr,
    /// The decisions database.
    pub db_path: PathBuf,
    /// The access token (required when `addr` is not loopback) and the request limits.
    pub guards: Guards,
    /// Who may build trainer courses and see every trainee's scores; `None`: every operator.
    pub trainers: Option<Vec<String>>,
    /// Trainer mode's real material (none by default: synthetic threats and bags only).
    pub trainer_library: Arc<TrainerLibrary>,
    /// The site this console screens for, stored on every decision (`None`: not recorded).
    pub site: Option<String>,
    /// The lane (belt, scanner) within the site, stored on every decision.
    pub lane: Option<String>,
}

impl ServeOptions {
    /// Options for a console at `addr` with its database at `db_path`, default [`Guards`].
    #[must_use]
    pub fn new(addr: SocketAddr, db_path: impl Into<PathBuf>) -> Self {
        Self {
            addr,
            db_path: db_path.into(),
            guards: Guards::default(),
            trainers: None,
            trainer_library: Arc::new(TrainerLibrary::default()),
            site: None,
            lane: None,
        }
    }

    /// The site stored on every decision (checked by [`check_place`] when served).
    #[must_use]
    pub fn with_site(mut self, site: Option<String>) -> Self {
        self.site = site;
        self
    }

    /// The lane stored on every decision (checked by [`check_place`] when served).
    #[must_use]
    pub fn with_lane(mut self, lane: Option<String>) -> Self {
        self.lane = lane;
        self
    }

    #[must_use]
    pub fn with_guards(mut self, guards: Guards) -> Self {
        self.guards = guards;
        self
    }

    /// Names the trainers (`None` or an empty list: every operator may build courses).
    #[must_use]
    pub fn with_trainers(mut self, trainers: Option<Vec<String>>) -> Self {
        self.trainers = trainers.filter(|t| !t.is_empty());
        self
    }

    /// Gives trainer mode its library of real material.
    #[must_use]
    pub fn with_trainer_library(mut self, library: TrainerLibrary) -> Self {
        self.trainer_library = Arc::new(library);
        self
    }
}

/// Checks the address and token before anything is loaded: a non-loopback address needs a
/// token of at least [`MIN_TOKEN_CHARS`] printable characters.
///
/// # Errors
/// [`ServeError::TokenRequired`], [`ServeError::BadToken`].
pub fn check_access(addr: SocketAddr, token: Option<&str>) -> Result<(), ServeError> {
    if let Some(t) = token {
        if t.chars().count() < MIN_TOKEN_CHARS {
            return Err(ServeError::BadToken {
                reason: format!("is shorter than {MIN_TOKEN_CHARS} characters"),
            });
        }
        if !t.chars().all(|c| c.is_ascii_graphic()) || t.contains([';', ',', '&', '=']) {
            return Err(ServeError::BadToken {
                reason: "must be printable ASCII without spaces, ';', ',', '&' or '='".into(),
            });
        }
    } else if !addr.ip().is_loopback() {
        return Err(ServeError::TokenRequired { addr });
    }
    Ok(())
}

/// Checks a site or lane name (`option` names the setting in the error): 1 to
/// [`MAX_PLACE_CHARS`] characters, no control characters, no spaces at either end.
///
/// # Errors
/// [`ServeError::BadSetting`].
pub fn check_place(option: &'static str, name: &str) -> Result<(), ServeError> {
    let bad = |reason: String| Err(ServeError::BadSetting { option, reason });
    if name.trim().is_empty() {
        return bad("empty".into());
    }
    if name.trim() != name {
        return bad(format!("{name:?} starts or ends with a space"));
    }
    if name.chars().count() > MAX_PLACE_CHARS {
        return bad(format!("longer than {MAX_PLACE_CHARS} characters"));
    }
    if name.chars().any(char::is_control) {
        return bad("holds a control character".into());
    }
    Ok(())
}

/// Reads an access token file (its first line, trimmed).
///
/// # Errors
/// [`ServeError::Io`], [`ServeError::BadToken`] for an empty file.
pub fn read_token_file(path: &Path) -> Result<String, ServeError> {
    let text = std::fs::read_to_string(path).map_err(|source| ServeError::Io {
        what: "reading the token file",
        path: path.to_owned(),
        source,
    })?;
    let token = text.lines().next().unwrap_or("").trim().to_owned();
    if token.is_empty() {
        return Err(ServeError::BadToken {
            reason: format!("file {} is empty", path.display()),
        });
    }
    Ok(token)
}

fn screen_folder(screener: &Screener, dir: &Path, store: &ScanStore, stop: &AtomicBool) {
    let inputs = collect_inputs(&[dir.to_owned()]);
    let mut seq = 0u64;
    for chunk in inputs.chunks(screener.threads().max(1) * 2) {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let requests: Vec<ScreenRequest> = chunk.iter().cloned().map(ScreenRequest::new).collect();
        for (input, screened) in chunk.iter().zip(screener.screen_many(&requests)) {
            seq += 1;
            let sha = input_sha256(input);
            store.push(seq, screened.record, sha, Some(input.clone()));
        }
    }
}

/// Takes every `done` row of the watch journal not yet queued: its record from the result
/// file, its files from `IN_DIR/.done/`.
fn sync_journal(
    watcher: &Watcher,
    out_dir: &Path,
    queued: &mut std::collections::HashSet<i64>,
    store: &ScanStore,
) -> Result<(), ServeError> {
    let in_dir = &watcher.config().in_dir;
    for row in watcher.journal().all()? {
        if row.state != ScanState::Done || queued.contains(&row.id) {
            continue;
        }
        let first = row.files.first().map_or("scan", |f| f.name.as_str());
        let result = out_dir
            .join(RESULTS_DIR)
            .join(format!("{:08}_{first}.json", row.id));
        let record: Option<ScanRecord> = std::fs::read(&result)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok());
        let Some(record) = record else {
            eprintln!(
                "armscan serve: the result of journal row {} ({}) cannot be read; not queued",
                row.id, row.name
            );
            queued.insert(row.id);
            continue;
        };
        let done = |name: &str| in_dir.join(DONE_DIR).join(format!("{:08}_{name}", row.id));
        let input = match row.files.as_slice() {
            [high, low] => Some(ScanInput::DualPair {
                high: done(&high.name),
                low: done(&low.name),
            }),
            [one] => Some(ScanInput::File(done(&one.name))),
            _ => None,
        };
        let sha = input.as_ref().and_then(input_sha256);
        store.push(u64::try_from(row.id).unwrap_or(0), record, sha, input);
        queued.insert(row.id);
    }
    Ok(())
}

fn watch_loop(
    screener: &Screener,
    config: WatchConfig,
    store: &ScanStore,
    stop: &AtomicBool,
) -> Result<(), ServeError> {
    let out_dir = config.out_dir.clone();
    let poll = config.poll;
    let (mut watcher, _) = Watcher::open(config)?;
    let mut queued = std::collections::HashSet::new();
    sync_journal(&watcher, &out_dir, &mut queued, store)?;
    let mut screen = |inputs: &[ScanInput]| -> Vec<ScanRecord> {
        let requests: Vec<ScreenRequest> = inputs.iter().cloned().map(ScreenRequest::new).collect();
        screener
            .screen_many(&requests)
            .into_iter()
            .map(|s| s.record)
            .collect()
    };
    let mut on_record = |_: &ScanRecord| {};
    let outcome = (|| {
        while !stop.load(Ordering::SeqCst) {
            let n = watcher.step(&mut screen, &mut on_record)?;
            sync_journal(&watcher, &out_dir, &mut queued, store)?;
            if n == 0 {
                std::thread::sleep(poll);
            }
        }
        Ok::<(), ServeError>(())
    })();
    let closed = watcher.close();
    outcome?;
    closed?;
    Ok(())
}

/// Serves the console until `stop` is set or the process gets SIGINT: binds `options.addr`,
/// screens `source` on a thread of its own (new scans join the queue as they are screened)
/// and answers the page and the API. Returns the address bound through `on_bound` first (for a
/// port 0).
///
/// # Errors
/// [`ServeError`]: the access check, the database, the socket, the watch folder.
pub fn serve(
    screener: Screener,
    source: Source,
    options: &ServeOptions,
    stop: Arc<AtomicBool>,
    on_bound: impl FnOnce(SocketAddr),
) -> Result<(), ServeError> {
    check_access(options.addr, options.guards.token.as_deref())?;
    if let Some(site) = &options.site {
        check_place("--site", site)?;
    }
    if let Some(lane) = &options.lane {
        check_place("--lane", lane)?;
    }
    let db = Arc::new(DecisionDb::open(&options.db_path)?);
    let trainer = Arc::new(
        Trainer::new(TrainerDb::open(&options.db_path)?, options.trainers.clone())
            .with_library(Arc::clone(&options.trainer_library)),
    );
    let store = Arc::new(ScanStore::new());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|source| ServeError::Io {
            what: "starting the runtime for",
            path: PathBuf::from(options.addr.to_string()),
            source,
        })?;
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(options.addr))
        .map_err(|source| ServeError::Io {
            what: "binding",
            path: PathBuf::from(options.addr.to_string()),
            source,
        })?;
    let bound = listener.local_addr().map_err(|source| ServeError::Io {
        what: "binding",
        path: PathBuf::from(options.addr.to_string()),
        source,
    })?;
    let hosts = if options.guards.token.is_some() {
        None
    } else {
        let mut hosts = loopback_hosts(bound.port());
        hosts.push(bound.to_string());
        Some(hosts)
    };
    let screener = Arc::new(screener);
    let api = Arc::new(ApiState::new(
        Arc::clone(&screener),
        screener.threads().max(1) * 4,
        Arc::clone(&stop),
    ));
    let state = Arc::new(
        AppState::new(Arc::clone(&store), Arc::clone(&db))
            .with_api(api)
            .with_console(!matches!(source, Source::ApiOnly))
            .with_guards(options.guards.clone())
            .with_allowed_hosts(hosts)
            // scans are read again to be shown exactly as the screener read them
            .with_ingest(screener.ingest_options().clone())
            .with_windowing(screener.windowing())
            .with_site(options.site.clone())
            .with_lane(options.lane.clone())
            .with_trainer(trainer),
    );
    on_bound(bound);

    let worker_stop = Arc::clone(&stop);
    let worker_store = Arc::clone(&store);
    let worker = std::thread::spawn(move || -> Result<(), ServeError> {
        match source {
            Source::Scans(dir) => {
                screen_folder(&screener, &dir, &worker_store, &worker_stop);
                eprintln!(
                    "armscan serve: {} scans screened from {}",
                    worker_store.len(),
                    dir.display()
                );
                Ok(())
            }
            Source::Watch(config) => watch_loop(&screener, config, &worker_store, &worker_stop),
            Source::ApiOnly => Ok(()),
        }
    });

    let app = router(state);
    let server_stop = Arc::clone(&stop);
    let served = runtime.block_on(async move {
        let shutdown = async move {
            loop {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => break,
                    () = tokio::time::sleep(Duration::from_millis(200)) => {
                        if server_stop.load(Ordering::SeqCst) { break; }
                    }
                }
            }
        };
        axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .await
    });
    stop.store(true, Ordering::SeqCst);
    let worked = worker.join().unwrap_or(Ok(()));
    served.map_err(|source| ServeError::Io {
        what: "serving",
        path: PathBuf::from(bound.to_string()),
        source,
    })?;
    worked
}
