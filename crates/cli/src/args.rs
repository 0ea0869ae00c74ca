//! Command-line arguments.

use std::path::PathBuf;

use armscan::Windowing;
use clap::{Args, Parser, Subcommand, ValueEnum};

/// Screen X-ray scans of parcels and bags for firearms, their parts and components, and ammunition.
#[derive(Debug, Parser)]
#[command(name = "armscan", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Screen scan files or folders and report what was found.
    ///
    /// Exit status: 0 when every scan is clear, 1 when any scan alarms or needs review,
    /// 2 when any scan could not be screened (or the command could not start).
    #[command(after_help = "Examples:\n  armscan scan datasets/samples\
            \n  armscan scan bags/ --jsonl > results.jsonl\
            \n  armscan scan bags/ --out report/ --backend onnxruntime")]
    Scan(ScanArgs),
    /// Generate synthetic dual-energy parcel scans with labelled firearms, parts and ammunition
    /// (16-bit high/low PNGs, grey and pseudo-colour PNGs, COCO annotations.json, YOLO labels,
    /// contact_sheet.png). The same seed gives the same bytes.
    Synth(SynthArgs),
    /// Measure a detector on a COCO data set: AP50 and AP50:95 per fine class and per Protocol
    /// category (COCO definition), image-level ROC and probability of detection at 1% and 5%
    /// false alarms, PR curves, the confusion between categories, results by difficulty.
    ///
    /// Predictions come from running the model on the data set's images, or from a JSONL file
    /// of `armscan scan --jsonl` records (--predictions). Exit status: 0 on success, 2 on error.
    #[command(
        after_help = "Examples:\n  armscan eval out/synth/annotations.json --out out/eval\
            \n  armscan eval gdxray/annotations.json --where series=B0079,B0074,B0048 \
            --out out/eval-val\
            \n  armscan eval data/annotations.json --predictions results.jsonl --out out/eval"
    )]
    Eval(EvalArgs),
    /// Sorting-centre mode: watch a folder the scanner writes into and screen each complete scan
    /// exactly once, appending its record to OUT/results.jsonl.
    ///
    /// A file is taken when its name does not start with `.` nor end in `.part`/`.tmp` (write
    /// there, then rename into place) and its size and modification time stayed the same for
    /// --settle-ms. Each result is written atomically to OUT/results/ and appended to
    /// OUT/results.jsonl (schema armscan.scan/2, one line per input scan, ever); the input is then
    /// moved to IN_DIR/.done/. A SQLite journal (OUT/journal.sqlite) makes this survive `kill -9`:
    /// after a restart every scan is screened and reported exactly once. SIGINT or SIGTERM stops
    /// it cleanly after the scans in hand (exit 0); a second signal stops it at once (exit 2).
    #[command(
        after_help = "Examples:\n  armscan watch /srv/scanner/out --out /srv/armscan\
            \n  armscan watch incoming/ --out results/ --backend onnxruntime --settle-ms 1000"
    )]
    Watch(WatchArgs),
    /// A stateless worker on NATS JetStream: pulls scans from the work queue (stream
    /// ARMSCAN_SCANS), screens them as `scan` does, stores each record in the results stream
    /// (ARMSCAN_RESULTS, one per scan id) and only then acknowledges the scan. A redelivered scan
    /// whose result is stored is not screened again. SIGTERM or SIGINT: finish the scans in hand,
    /// store and acknowledge them, exit 0. Exit status 2 when it cannot start.
    #[command(after_help = "Examples:\n  armscan worker --nats nats://queue:4222\
            \n  armscan worker --nats nats://queue:4222 --backend onnxruntime --threads 4\
            \n  armscan worker --nats nats://queue:4222 --shared-dir /mnt/scans")]
    Worker(WorkerArgs),
    /// Send scan files or folders to the workers on NATS JetStream. With --wait, print one
    /// record per scan as results arrive (text, or --jsonl), with the exit status of `scan`
    /// (0 all clear, 1 an alarm or review, 2 a scan failed, could not be sent, or has no
    /// result within --timeout-s).
    #[command(
        after_help = "Examples:\n  armscan submit --nats nats://queue:4222 bags/\
            \n  armscan submit --nats nats://queue:4222 bags/ --wait --jsonl > results.jsonl"
    )]
    Submit(SubmitArgs),
    /// The operator console: a local web page to screen the queue (the scan, the engine's boxes,
    /// the image tools of an X-ray console) and record clear / threat / hand-search decisions
    /// in SQLite, with who and when.
    ///
    /// `--watch IN_DIR --out OUT` runs the watcher (as `armscan watch`) and the console together;
    /// `--scans DIR` screens a folder once and serves it. Binds 127.0.0.1:8080 by default; any
    /// other address needs --token-file. Stops on SIGINT. Exit status: 0 stopped, 2 error.
    ///
    /// Trainer mode at /trainer: courses of trials made on the spot by projecting threats into
    /// clean bags (synthetic, or real with --tip-threats/--tip-bags) or replaying labelled
    /// scans (--replay); trainees' hit rate, false alarms, d' and response times, an adaptive
    /// staircase, exams with certificates; --trainer NAME names who builds courses.
    #[command(
        after_help = "Examples:\n  armscan serve --watch /srv/scanner/out --out /srv/armscan\
            \n  armscan serve --scans datasets/samples --out console/\
            \n  armscan serve --watch in/ --out out/ --addr 0.0.0.0:8080 --token-file token.txt"
    )]
    // Boxed: the console's flags make this variant much the largest.
    Serve(Box<ServeArgs>),
    /// Seizure statistics by UN Firearms Protocol category (firearm, part, ammunition; other
    /// apart) from a console's decisions database: the latest decision of each scan in the
    /// window; threat decisions are seizures, hand searches are counted apart, the engine's
    /// alarms never. By period, site, lane and fine class; ammunition in rounds where given.
    /// JSON is `armscan.seizures/1` (crates/serve/SEIZURES.md). The database is only read.
    /// Exit status: 0 done, 2 error (a missing or non-console database, a bad window).
    #[command(after_help = "Examples:\n  armscan stats --db out/console.sqlite\
            \n  armscan stats --db console.sqlite --from 2026-01-01 --to 2027-01-01 \
            --period quarter --format json --out seizures-2026.json\
            \n  armscan stats --db console.sqlite --site north --format csv > seizures.csv")]
    Stats(StatsArgs),
}

#[derive(Debug, Args)]
pub struct SynthArgs {
    /// Number of scenes.
    #[arg(long, value_name = "COUNT", default_value_t = 16)]
    pub n: usize,
    /// Random seed; each scene is seeded from (seed, index).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Output folder.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Scene width in pixels.
    #[arg(long, default_value_t = 1000)]
    pub width: u32,
    /// Scene height in pixels.
    #[arg(long, default_value_t = 800)]
    pub height: u32,
    /// Pixel spacing in mm.
    #[arg(long, value_name = "MM", default_value_t = 1.0)]
    pub pixel_spacing_mm: f32,
    /// Share of scenes with no threat.
    #[arg(long, value_name = "FRACTION", default_value_t = 0.2)]
    pub clean_fraction: f32,
    /// Most threats in one scene.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub max_threats: usize,
    /// Clutter level, 0 (a few items) to 1 (packed).
    #[arg(long, value_name = "LEVEL", default_value_t = 0.6)]
    pub clutter: f32,
    /// Relative weights of the threat categories, e.g. `firearm=0.4,part=0.3,ammunition=0.3`.
    #[arg(
        long,
        value_name = "WEIGHTS",
        default_value = "firearm=0.4,part=0.3,ammunition=0.3"
    )]
    pub mix: String,
    #[command(flatten)]
    pub tip: TipSourceArgs,
    /// Share of firearms taken from real crops when --tip-threats is given.
    #[arg(long, value_name = "FRACTION", default_value_t = 0.5)]
    pub real_threat_fraction: f32,
    /// Share of scenes on a real bag when --tip-bags is given.
    #[arg(long, value_name = "FRACTION", default_value_t = 0.3)]
    pub real_bag_fraction: f32,
    /// Synthetic threat variants never to draw, comma-separated (shapes held out of a training
    /// set; the names are listed in datasets/synthetic/README.md).
    #[arg(long, value_name = "VARIANTS", value_delimiter = ',')]
    pub exclude_variants: Vec<String>,
    /// Also draw parts from the parametric families (receivers, bolts and barrels of random
    /// architecture and size; see datasets/synthetic/README.md). Off by default: data sets made
    /// without it keep their bytes.
    #[arg(long)]
    pub part_families: bool,
    /// Share of drawn parts replaced by a light frame or receiver (aluminium or polymer, random
    /// architecture; `light_frame_family`). 0 by default: data sets
    /// made without it keep their bytes.
    #[arg(long, value_name = "FRACTION", default_value_t = 0.0)]
    pub light_frame_fraction: f32,
    /// Share of drawn parts replaced by a silencer (a sealed tube with cone baffles, seen from the
    /// side or end-on; `silencer_side`, `silencer_end_on`; fine class `silencer`, a Protocol part).
    /// 0 by default: data sets made without it keep their bytes.
    #[arg(long, value_name = "FRACTION", default_value_t = 0.0)]
    pub silencer_fraction: f32,
    /// Palette of the pseudo-colour plane: armscan's own, or a made-up vendor's (`amber`: light,
    /// dense matter kept bright; `deep`: dark, brightness almost linear), to test detectors on
    /// palettes they never saw
    #[arg(long, value_enum, default_value = "armscan")]
    pub palette: PaletteArg,
    /// Planes to write per scene, comma-separated: high, low, grey,
    /// colour (grey is always written).
    #[arg(
        long,
        value_name = "PLANES",
        value_delimiter = ',',
        default_value = "high,low,grey,colour"
    )]
    pub planes: Vec<String>,
    /// Worker threads [default: the number of cores]
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
}

/// The model and how to run it (shared by `scan` and `watch`).
#[derive(Debug, Args)]
pub struct ModelArgs {
    /// Model manifest (NAME.manifest.json) or the .onnx beside it
    /// [default: $ARMSCAN_MODEL, else models/armscan-threat-v12/armscan-threat-v12.manifest.json]
    #[arg(long, value_name = "PATH")]
    pub model: Option<PathBuf>,

    /// Inference backend.
    #[arg(long, value_enum, default_value_t = BackendArg::Auto)]
    pub backend: BackendArg,

    /// Path to libonnxruntime.so (else $ORT_DYLIB_PATH, else the onnxruntime Python wheel's copy).
    #[arg(long, value_name = "PATH")]
    pub ort_lib: Option<PathBuf>,

    /// List detections scoring at least this [default: the model's]
    #[arg(long, value_name = "SCORE")]
    pub min_score: Option<f32>,

    /// A detection scoring at least this makes the scan alarm [default: the model's]
    #[arg(long, value_name = "SCORE")]
    pub alarm_score: Option<f32>,

    /// A detection scoring at least this (and below the alarm score) makes the scan need review
    /// [default: the model's]
    #[arg(long, value_name = "SCORE")]
    pub review_score: Option<f32>,

    /// Worker threads [default: the number of cores]
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,

    /// Tuning: inference sessions in the pool [default: the worker threads]
    #[arg(long, value_name = "N")]
    pub sessions: Option<usize>,

    /// Tuning: threads inside each inference session.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub intra_threads: usize,

    /// Tuning: frames per inference call.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub batch_frames: usize,

    /// Screen each scan once, not also mirrored left to right where the model's manifest names a
    /// mirror view: half the inference (about 1.3x the scans/s on the e2e bench), less accurate
    /// (see the model card)
    #[arg(long)]
    pub single_view: bool,

    /// For scans whose spacing nothing states (no file tag, no --pixel-spacing-mm, no scanner
    /// profile): `estimate` it from the content (the extent of what lies on the belt, taken to be
    /// --content-long-side-mm long; one pass), `search` a ladder of spacings from 0.1 to 2.5 mm
    /// that give a plausible scene (15 cm to 2 m on the long side) and merge (several passes), or
    /// `assume` the model's assumed spacing. Records say which (`spacing_source`).
    #[arg(long, value_enum, value_name = "HOW", default_value = "estimate")]
    pub unknown_spacing: UnknownSpacingArg,

    /// With --unknown-spacing estimate: the long side, in mm, of what lies on the belt (a
    /// parcel, a bag, a tray) [default: 300]
    #[arg(long, value_name = "MM")]
    pub content_long_side_mm: Option<f32>,
}

/// `armscan synth --palette`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PaletteArg {
    Armscan,
    Amber,
    Deep,
}

impl PaletteArg {
    #[must_use]
    pub fn palette(self) -> armscan_core::colour::Palette {
        use armscan_core::colour::Palette;
        match self {
            PaletteArg::Armscan => Palette::ARMSCAN,
            PaletteArg::Amber => Palette::AMBER,
            PaletteArg::Deep => Palette::DEEP,
        }
    }
}

/// `--unknown-spacing`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum UnknownSpacingArg {
    Estimate,
    Search,
    Assume,
}

/// How scan files are read (shared by `scan` and `watch`).
#[derive(Debug, Args)]
pub struct ReadArgs {
    /// Windowing of 16-bit scans: `full` (by bit depth), `auto` (0.5th to 99.5th percentile),
    /// or `LOW:HIGH` sample values.
    #[arg(long, value_name = "WINDOW", default_value = "full", value_parser = parse_window)]
    pub window: Windowing,

    /// Pixel spacing of the scans in mm, when the files do not say [default: the model's
    /// assumption, see its model card]
    #[arg(long, value_name = "MM")]
    pub pixel_spacing_mm: Option<f32>,

    /// The scanner's profile, a JSON file (schema armscan.scanner/1): its pixel spacing, which
    /// plane of a dual-energy file is the high-energy one, whether it stores attenuation.
    /// --pixel-spacing-mm overrides its spacing.
    #[arg(long, value_name = "PROFILE")]
    pub scanner: Option<PathBuf>,

    /// Refuse images larger than this many megapixels.
    #[arg(long, value_name = "MP", default_value_t = 100.0)]
    pub max_megapixels: f64,

    /// Refuse files larger than this many MiB.
    #[arg(long, value_name = "MIB", default_value_t = 512)]
    pub max_file_mib: u64,
}

/// `--window`: `full`, `auto` or `LOW:HIGH`.
fn parse_window(text: &str) -> Result<Windowing, String> {
    match text {
        "full" => Ok(Windowing::Full),
        "auto" => Ok(Windowing::Percentile {
            low_pct: 0.5,
            high_pct: 99.5,
        }),
        other => {
            let (lo, hi) = other
                .split_once(':')
                .ok_or_else(|| format!("`{other}`: expected full, auto or LOW:HIGH"))?;
            let low: u16 = lo
                .trim()
                .parse()
                .map_err(|e| format!("low value `{lo}`: {e}"))?;
            let high: u16 = hi
                .trim()
                .parse()
                .map_err(|e| format!("high value `{hi}`: {e}"))?;
            if high <= low {
                return Err(format!("{low}:{high}: HIGH must be above LOW"));
            }
            Ok(Windowing::Range { low, high })
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BackendArg {
    /// ONNX Runtime when it can be found, else tract.
    Auto,
    /// Pure-Rust tract backend (no set-up).
    Tract,
    /// ONNX Runtime, loaded at run time (fast path).
    Onnxruntime,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Scan files or folders (walked recursively, in name order). Dual-energy pairs are files
    /// named NAME_high.EXT and NAME_low.EXT in one folder, or one two-page 16-bit TIFF.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    #[command(flatten)]
    pub detector: ModelArgs,

    /// Write report.json, summary.csv, index.html and overlay PNGs of flagged scans into DIR.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Print one JSON record per scan on stdout (schema armscan.scan/2) instead of text.
    #[arg(long)]
    pub jsonl: bool,

    /// Write a DICOS threat detection report (NAME.tdr.dcs) per scan into DIR: each detection a
    /// threat object (box, category, score) referencing the scan's DICOS image.
    #[arg(long, value_name = "DIR")]
    pub tdr: Option<PathBuf>,

    #[command(flatten)]
    pub read: ReadArgs,

    /// Never show a progress bar.
    #[arg(long)]
    pub no_progress: bool,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// COCO annotations file (images, annotations, categories).
    #[arg(value_name = "ANNOTATIONS")]
    pub annotations: PathBuf,

    /// Folder the images' `file_name` is relative to [default: the folder of ANNOTATIONS]
    #[arg(long, value_name = "DIR")]
    pub images: Option<PathBuf>,

    /// Read predictions from this JSONL of armscan.scan/2 records instead of running the model.
    /// A record pairs with an image when its `scan` is `file_name`, IMAGES/`file_name`, or ends
    /// with `/file_name`; every image needs exactly one record.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["model", "ort_lib", "min_score"])]
    pub predictions: Option<PathBuf>,

    /// Keep only images whose field KEY is one of the values (string equality; repeatable, all
    /// must hold), e.g. --where series=B0079,B0074,B0048.
    #[arg(long = "where", value_name = "KEY=V1,V2")]
    pub filters: Vec<String>,

    /// Write eval.json, eval.html and the PR/ROC PNGs (and
    /// predictions.jsonl when the model ran) into DIR.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    #[command(flatten)]
    pub detector: ModelArgs,

    /// Pixel spacing (mm per pixel) of every image when running the model [default: each image's
    /// `pixel_spacing_mm` field, where the data set has one]
    #[arg(long, value_name = "MM")]
    pub pixel_spacing_mm: Option<f32>,

    /// Score at which a detection counts as found, for the confusion
    /// matrix and the recall by difficulty.
    #[arg(long, value_name = "SCORE", default_value_t = 0.5)]
    pub score_threshold: f32,

    /// Cross-scanner suite: screen every image resampled to each of these pixel spacings (mm,
    /// comma-separated), with the spacing withheld from the detector as from an unknown scanner;
    /// one evaluation per spacing (OUT/at-MMmm/) and a table of them. Needs --native-mm.
    #[arg(long, value_name = "MM,MM", value_delimiter = ',')]
    pub resample_mm: Vec<f32>,

    /// The pixel spacing the data set's images are stored at (for --resample-mm; GDXray: 0.16).
    #[arg(long, value_name = "MM")]
    pub native_mm: Option<f32>,

    /// Never show a progress bar.
    #[arg(long)]
    pub no_progress: bool,
}

#[derive(Debug, Args)]
pub struct WatchArgs {
    /// The folder the scanner writes scans into (not walked recursively).
    #[arg(value_name = "IN_DIR")]
    pub in_dir: PathBuf,

    /// Output folder: results.jsonl, results/, journal.sqlite.
    #[arg(long, value_name = "DIR", required_unless_present = "publish")]
    pub out: Option<PathBuf>,

    /// Publish each complete scan to the NATS JetStream work queue at URL instead of screening
    /// it here (no model is loaded; workers screen it): once the server has stored a scan, its
    /// files move to IN_DIR/.done/.
    #[arg(long, value_name = "URL", conflicts_with_all = ["out", "tdr", "jsonl"])]
    pub publish: Option<String>,

    #[command(flatten)]
    pub detector: ModelArgs,

    #[command(flatten)]
    pub read: ReadArgs,

    #[command(flatten)]
    pub timing: WatchTimingArgs,

    /// Print each record on stdout as a JSON line (armscan.scan/2) instead of text.
    #[arg(long)]
    pub jsonl: bool,

    /// Write a DICOS threat detection report (NAME.tdr.dcs) per scan into DIR, as `scan --tdr`.
    #[arg(long, value_name = "DIR")]
    pub tdr: Option<PathBuf>,

    #[command(flatten)]
    pub queue: QueueArgs,
}

/// `armscan worker`.
#[derive(Debug, Args)]
pub struct WorkerArgs {
    /// The NATS server, e.g. nats://127.0.0.1:4222.
    #[arg(long, value_name = "URL")]
    pub nats: String,

    #[command(flatten)]
    pub detector: ModelArgs,

    #[command(flatten)]
    pub read: ReadArgs,

    #[command(flatten)]
    pub queue: QueueArgs,

    /// Names this worker on its connection and on each result [default: HOST-PID, the host
    /// name being the pod's name under Kubernetes]
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,

    /// Most scans taken and screened at once [default: twice the threads]
    #[arg(long, value_name = "N")]
    pub batch: Option<usize>,

    /// Seconds a taken scan may go unacknowledged before the server gives it to another worker
    /// (used when this worker creates the consumer).
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub ack_wait_s: u64,

    /// Deliveries of one scan before it gets an `error` record instead of another try (used
    /// when this worker creates the consumer).
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub max_deliver: i64,
}

/// Flags shared by `worker`, `submit` and `watch --publish`.
#[derive(Debug, Args)]
pub struct QueueArgs {
    /// Storage every producer and worker mounts: scans too large for a message travel as a
    /// path relative to it.
    #[arg(long, value_name = "DIR")]
    pub shared_dir: Option<PathBuf>,

    /// How long the server remembers a scan id to drop a second copy, in seconds (used when
    /// the streams are created).
    #[arg(long, value_name = "SECONDS", default_value_t = 600)]
    pub duplicate_window_s: u64,

    /// Replicas of each stream in a NATS cluster (used when the streams are created).
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub stream_replicas: usize,
}

/// `armscan submit`.
#[derive(Debug, Args)]
pub struct SubmitArgs {
    /// The NATS server, e.g. nats://127.0.0.1:4222.
    #[arg(long, value_name = "URL")]
    pub nats: String,

    /// Scan files or folders (walked as `scan` walks them; NAME_high/NAME_low pairs together).
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,

    /// Wait for every scan's result and print it.
    #[arg(long)]
    pub wait: bool,

    /// With --wait: print each record as a JSON line (armscan.scan/2), exactly as stored.
    #[arg(long, requires = "wait")]
    pub jsonl: bool,

    /// With --wait: give up after this many seconds; scans without a result then count as
    /// failed (exit 2) and are named [default: wait for all]
    #[arg(long, value_name = "SECONDS", requires = "wait")]
    pub timeout_s: Option<u64>,

    /// Pixel spacing of the scans in mm, passed to the workers with each scan.
    #[arg(long, value_name = "MM")]
    pub pixel_spacing_mm: Option<f32>,

    #[command(flatten)]
    pub queue: QueueArgs,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Watch this folder the scanner writes into (needs --out), as `armscan watch` does.
    #[arg(long, value_name = "IN_DIR", conflicts_with = "scans")]
    pub watch: Option<PathBuf>,

    /// Screen this folder (or file) once at start and serve its scans.
    #[arg(long, value_name = "DIR", conflicts_with = "api_only")]
    pub scans: Option<PathBuf>,

    /// Serve only the HTTP API for integrators (`POST /v1/scans`, `/v1/model`, `/healthz`,
    /// `/openapi.json`), no console.
    #[arg(long, conflicts_with = "watch")]
    pub api_only: bool,

    /// The most bytes a scan upload to `POST /v1/scans` may have.
    #[arg(long, value_name = "BYTES", default_value_t = 64 * 1024 * 1024)]
    pub max_upload_bytes: usize,

    /// Output folder: with --watch, results.jsonl, results/ and the journal; the decisions
    /// database by default.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// The decisions database [default: OUT/console.sqlite]
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,

    /// Address to listen on; anything but loopback needs --token-file.
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:8080")]
    pub addr: std::net::SocketAddr,

    /// A file whose first line is the access token (at least 16 characters) every request must
    /// carry: open the console as http://HOST:PORT/?token=TOKEN.
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,

    /// An operator who may build trainer courses and see every trainee's scores (repeat for
    /// several) [default: every operator]
    #[arg(long = "trainer", value_name = "NAME")]
    pub trainers: Vec<String>,

    /// The site this console screens for (customs office, sorting centre), stored on every
    /// decision for the seizure statistics (`armscan stats --site`).
    #[arg(long, value_name = "NAME")]
    pub site: Option<String>,

    /// The lane (belt, scanner) within the site, stored on every decision.
    #[arg(long, value_name = "NAME")]
    pub lane: Option<String>,

    /// Trainer mode's real material for projection (--tip-threats, --tip-bags, as `synth`).
    #[command(flatten)]
    pub tip: TipSourceArgs,

    /// Trainer mode: labelled real scans that courses may replay as they are (a COCO
    /// annotations.json; images with non-threat annotations are left out).
    #[arg(long, value_name = "COCO_JSON")]
    pub replay: Option<PathBuf>,

    /// Which images of --replay to use: `FIELD=V1,V2` (repeatable).
    #[arg(long, value_name = "FIELD=VALUES")]
    pub replay_where: Vec<String>,

    #[command(flatten)]
    pub detector: ModelArgs,

    #[command(flatten)]
    pub read: ReadArgs,

    /// How --watch takes files (as `armscan watch`).
    #[command(flatten)]
    pub timing: WatchTimingArgs,
}

/// `armscan stats`: seizure statistics from a console's decisions database.
#[derive(Debug, Args)]
pub struct StatsArgs {
    /// The console's decisions database (`armscan serve --db`, or OUT/console.sqlite).
    #[arg(long, value_name = "FILE")]
    pub db: PathBuf,

    /// Decisions from this UTC time or day on (YYYY-MM-DDTHH:MM:SSZ or YYYY-MM-DD)
    /// [default: the first decision]
    #[arg(long, value_name = "TIME")]
    pub from: Option<String>,

    /// Decisions before this UTC time or day [default: now]
    #[arg(long, value_name = "TIME")]
    pub to: Option<String>,

    /// The period of each row (week: ISO 8601 weeks).
    #[arg(long, value_enum, default_value_t = StatsPeriod::Month)]
    pub period: StatsPeriod,

    /// Only the decisions made at this site [default: every site].
    #[arg(long, value_name = "NAME")]
    pub site: Option<String>,

    /// Only the decisions made at this lane [default: every lane].
    #[arg(long, value_name = "NAME")]
    pub lane: Option<String>,

    /// text for a terminal, json (`armscan.seizures/1`), csv (long format: one row per
    /// period, site, lane, category, fine class and measure).
    #[arg(long, value_enum, default_value_t = StatsFormat::Text)]
    pub format: StatsFormat,

    /// Write to this file instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// The period of the rows of `armscan stats`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum StatsPeriod {
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

/// The output of `armscan stats`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum StatsFormat {
    Text,
    Json,
    Csv,
}

/// How a watch folder is read: shared by `watch` and `serve --watch`.
#[derive(Debug, Args)]
pub struct WatchTimingArgs {
    /// A file is taken once its size and modification time stayed the same this long.
    #[arg(long, value_name = "MS", default_value_t = 500)]
    pub settle_ms: u64,

    /// How often IN_DIR is listed when idle.
    #[arg(long, value_name = "MS", default_value_t = 200)]
    pub poll_ms: u64,

    /// How long a settled NAME_high/NAME_low half waits for its
    /// partner before it is screened alone.
    #[arg(long, value_name = "MS", default_value_t = 5000)]
    pub pair_wait_ms: u64,

    /// Most scans taken and screened at once [default: twice the threads]
    #[arg(long, value_name = "N")]
    pub batch: Option<usize>,
}

impl WatchTimingArgs {
    /// # Errors
    /// A zero --settle-ms, --poll-ms or --batch.
    pub fn check(&self) -> anyhow::Result<()> {
        if self.settle_ms == 0 || self.poll_ms == 0 {
            anyhow::bail!("--settle-ms and --poll-ms must be positive");
        }
        if self.batch == Some(0) {
            anyhow::bail!("--batch must be positive");
        }
        Ok(())
    }

    /// The watcher's configuration for `in_dir` into `out`, batching `threads * 2` by default.
    ///
    /// # Errors
    /// A zero --settle-ms, --poll-ms or --batch.
    pub fn config(
        &self,
        in_dir: &std::path::Path,
        out: &std::path::Path,
        threads: usize,
    ) -> anyhow::Result<armscan_watch::WatchConfig> {
        self.check()?;
        Ok(armscan_watch::WatchConfig::new(in_dir, out)
            .with_settle(std::time::Duration::from_millis(self.settle_ms))
            .with_poll(std::time::Duration::from_millis(self.poll_ms))
            .with_pair_wait(std::time::Duration::from_millis(self.pair_wait_ms))
            .with_batch(self.batch.unwrap_or(threads.max(1) * 2)))
    }
}

/// Real threat image projection sources: threat crops and clean bags from COCO data sets
/// (shared by `synth` and the console's trainer mode).
#[derive(Debug, Args)]
pub struct TipSourceArgs {
    /// Real threat crops for threat image projection: a COCO annotations.json whose threat
    /// boxes (known fine classes such as `firearm`) lie on an empty belt, e.g. GDXray series B0049.
    #[arg(long, value_name = "COCO_JSON")]
    pub tip_threats: Option<PathBuf>,
    /// Which images of --tip-threats to use, by an image field: `FIELD=V1,V2` (repeatable).
    #[arg(long, value_name = "FIELD=VALUES")]
    pub tip_threats_where: Vec<String>,
    /// Real clean bags to project threats into: a COCO annotations.json; images without any
    /// annotation are used.
    #[arg(long, value_name = "COCO_JSON")]
    pub tip_bags: Option<PathBuf>,
    /// Which images of --tip-bags to use: `FIELD=V1,V2` (repeatable).
    #[arg(long, value_name = "FIELD=VALUES")]
    pub tip_bags_where: Vec<String>,
    /// Pixel spacing of the real TIP sources in mm (GDXray: about 0.16, the pixel pitch of its
    /// Canon CXDI-50G flat panel).
    #[arg(long, value_name = "MM", default_value_t = 0.16)]
    pub tip_spacing_mm: f32,
}

impl TipSourceArgs {
    /// A COCO selection of `path` with `filters` (`FIELD=V1,V2`), at --tip-spacing-mm.
    ///
    /// # Errors
    /// A filter that is not `FIELD=VALUES`.
    pub fn selection(
        &self,
        path: Option<&std::path::Path>,
        filters: &[String],
    ) -> anyhow::Result<Option<armscan_synth::CocoSelection>> {
        let Some(path) = path else { return Ok(None) };
        let mut sel = armscan_synth::CocoSelection::new(path, self.tip_spacing_mm);
        for f in filters {
            let (k, v) = armscan_synth::CocoSelection::parse_filter(f)?;
            sel = sel.with_filter(k, v);
        }
        Ok(Some(sel))
    }

    /// Reads the sources for scenes at `scene_mm` per pixel (none when no flag is given).
    ///
    /// # Errors
    /// A bad filter, an unreadable or empty selection.
    pub fn load(&self, scene_mm: f32) -> anyhow::Result<armscan_synth::TipSources> {
        let threats = self.selection(self.tip_threats.as_deref(), &self.tip_threats_where)?;
        let bags = self.selection(self.tip_bags.as_deref(), &self.tip_bags_where)?;
        let sources = armscan_synth::TipSources::load(threats.as_ref(), bags.as_ref(), scene_mm)
            .map_err(|e| anyhow::anyhow!("reading the TIP sources: {e}"))?;
        if threats.is_some() || bags.is_some() {
            eprintln!(
                "armscan: TIP sources: {} real threat crops, {} real bags",
                sources.threats.len(),
                sources.bags.len()
            );
        }
        Ok(sources)
    }
}
