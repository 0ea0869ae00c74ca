//! Clean scenes: a parcel or bag and the everyday things in it, as procedural objects.
//!
//! Sizes are typical real ones (mm); thicknesses are *material-equivalent* thicknesses along the
//! beam (e.g. a folded cotton shirt, mostly air, counts as a few mm of water).

use std::f32::consts::PI;

use crate::physics::AttenuationMap;
use crate::physics::Material::{Aluminium, Brass, Copper, Glass, Organic, Paper, Plastic, Steel};
use crate::rng::Rng;
use crate::shapes::{draw, Object, Placement, Prim};

/// The container of a scene.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContainerKind {
    CardboardBox,
    PaddedEnvelope,
    PlasticMailer,
    Bag,
}

impl ContainerKind {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            ContainerKind::CardboardBox => "cardboard_box",
            ContainerKind::PaddedEnvelope => "padded_envelope",
            ContainerKind::PlasticMailer => "plastic_mailer",
            ContainerKind::Bag => "bag",
        }
    }
}

/// Clutter kinds.
pub const CLUTTER_KINDS: [&str; 14] = [
    "clothes",
    "book",
    "bottle",
    "shoes",
    "cable",
    "charger",
    "power_bank",
    "laptop",
    "phone",
    "tool",
    "keys",
    "coins",
    "can",
    "toy",
];

/// A clean scene before the detector: attenuation, where the container is, what is in it.
#[derive(Clone, Debug)]
pub struct Background {
    pub map: AttenuationMap,
    pub container: ContainerKind,
    /// Inside of the container, pixels: `[x0, y0, x1, y1]`.
    pub inside: [f32; 4],
    pub clutter: Vec<&'static str>,
}

fn rod(len: f32, r: f32) -> Prim {
    Prim::Rod { len, r }
}

fn cell_18650(o: &mut Object, x: f32, y: f32, rot: f32) {
    o.add_rot(
        Prim::Tube {
            len: 65.0,
            r: 9.0,
            ri: 8.75,
        },
        Steel,
        x,
        y,
        rot,
    );
    o.add_rot(
        Prim::Scaled(Box::new(rod(62.0, 8.7)), 0.08),
        Copper,
        x,
        y,
        rot,
    );
    o.add_rot(rod(62.0, 8.7), Organic, x, y, rot);
}

/// One clutter item of `kind`.
#[must_use]
pub fn clutter(kind: &str, rng: &mut Rng) -> Object {
    let mut o = Object::new();
    match kind {
        "clothes" => {
            let (rx, ry) = (rng.range(110.0, 220.0), rng.range(80.0, 160.0));
            o.add(
                Prim::Dome {
                    rx,
                    ry,
                    t: rng.range(10.0, 30.0),
                },
                Organic,
                0.0,
                0.0,
            );
            for _ in 0..3 {
                let (w, h) = (rng.range(0.5, 1.4) * rx, rng.range(0.3, 1.0) * ry);
                o.add_rot(
                    Prim::RoundSlab {
                        w,
                        h,
                        r: h.min(w) * 0.3,
                        t: rng.range(1.5, 4.0),
                    },
                    Organic,
                    rng.range(-0.4, 0.4) * rx,
                    rng.range(-0.4, 0.4) * ry,
                    rng.range(-0.4, 0.4),
                );
            }
            if rng.chance(0.4) {
                // jeans: rivets and a zip
                for _ in 0..4 {
                    o.add(
                        Prim::Disc {
                            rx: 4.0,
                            ry: 4.0,
                            t: 2.0,
                        },
                        Copper,
                        rng.range(-0.5, 0.5) * rx,
                        rng.range(-0.5, 0.5) * ry,
                    );
                }
                o.add(
                    Prim::Slab {
                        w: 6.0,
                        h: 90.0,
                        t: 1.5,
                    },
                    Brass,
                    rng.range(-0.3, 0.3) * rx,
                    0.0,
                );
            } else if rng.chance(0.5) {
                for i in 0..5 {
                    o.add(
                        Prim::Disc {
                            rx: 6.0,
                            ry: 6.0,
                            t: 3.0,
                        },
                        Plastic,
                        rx * 0.1,
                        -ry * 0.5 + i as f32 * 0.25 * ry,
                    );
                }
            }
        }
        "book" => {
            let (w, h) = (rng.range(120.0, 220.0), rng.range(170.0, 290.0));
            o.add(
                Prim::Slab {
                    w,
                    h,
                    t: rng.range(12.0, 45.0),
                },
                Paper,
                0.0,
                0.0,
            );
            o.add(
                Prim::Slab { w: 8.0, h, t: 10.0 },
                Paper,
                -w / 2.0 + 4.0,
                0.0,
            );
        }
        "bottle" => {
            let (len, r) = (rng.range(170.0, 260.0), rng.range(30.0, 42.0));
            let glass = rng.chance(0.3);
            let wall = if glass { Glass } else { Plastic };
            let wt = if glass { 4.0 } else { 0.4 };
            o.add(Prim::Tube { len, r, ri: r - wt }, wall, 0.0, 0.0);
            let fill = rng.range(0.3, 0.95) * len;
            o.add(rod(fill, r - wt), Organic, -len / 2.0 + fill / 2.0, 0.0);
            o.add(
                Prim::Tube {
                    len: 50.0,
                    r: 13.0,
                    ri: 13.0 - wt,
                },
                wall,
                len / 2.0 + 22.0,
                0.0,
            );
            o.add(rod(16.0, 15.0), Plastic, len / 2.0 + 52.0, 0.0);
        }
        "shoes" => {
            for k in 0..2 {
                let y = k as f32 * 105.0 - 52.0;
                let x = rng.range(-20.0, 20.0);
                o.add(
                    Prim::RoundSlab {
                        w: 270.0,
                        h: 95.0,
                        r: 40.0,
                        t: rng.range(8.0, 20.0),
                    },
                    Plastic,
                    x,
                    y,
                );
                o.add(
                    Prim::Dome {
                        rx: 120.0,
                        ry: 45.0,
                        t: 25.0,
                    },
                    Organic,
                    x - 20.0,
                    y,
                );
                o.add(
                    Prim::Slab {
                        w: 90.0,
                        h: 14.0,
                        t: 1.5,
                    },
                    Steel,
                    x - 20.0,
                    y,
                );
                for i in 0..5 {
                    o.add(
                        Prim::Ring {
                            r: 3.0,
                            ri: 1.8,
                            t: 1.0,
                        },
                        Brass,
                        x + 20.0 + i as f32 * 12.0,
                        y - 12.0,
                    );
                    o.add(
                        Prim::Ring {
                            r: 3.0,
                            ri: 1.8,
                            t: 1.0,
                        },
                        Brass,
                        x + 20.0 + i as f32 * 12.0,
                        y + 12.0,
                    );
                }
            }
        }
        "cable" => {
            let (mut x, mut y, mut a) = (0.0f32, 0.0f32, rng.range(0.0, 2.0 * PI));
            let turn = rng.range(0.08, 0.3) * if rng.chance(0.5) { 1.0 } else { -1.0 };
            let thick = rng.range(2.0, 3.5);
            let steps = 40 + rng.below(60);
            let mut pts = Vec::with_capacity(steps);
            for _ in 0..steps {
                pts.push((x, y, a));
                let seg = 10.0;
                x += a.cos() * seg;
                y += a.sin() * seg;
                a += turn + rng.range(-0.25, 0.25);
            }
            let (mx, my) = pts.iter().fold((0.0, 0.0), |s, p| (s.0 + p.0, s.1 + p.1));
            let (mx, my) = (mx / steps as f32, my / steps as f32);
            for (px, py, pa) in pts {
                let (cx, cy) = (px + pa.cos() * 5.0 - mx, py + pa.sin() * 5.0 - my);
                o.add_rot(rod(11.0, thick), Plastic, cx, cy, pa);
                o.add_rot(rod(11.0, 0.5), Copper, cx, cy - 0.8, pa);
                o.add_rot(rod(11.0, 0.5), Copper, cx, cy + 0.8, pa);
            }
            if rng.chance(0.6) {
                o.add(
                    Prim::RoundSlab {
                        w: 40.0,
                        h: 16.0,
                        r: 4.0,
                        t: 10.0,
                    },
                    Plastic,
                    0.0,
                    0.0,
                );
                o.add(
                    Prim::Slab {
                        w: 12.0,
                        h: 8.0,
                        t: 5.0,
                    },
                    Steel,
                    22.0,
                    0.0,
                );
            }
        }
        "charger" => {
            o.add(
                Prim::RoundSlab {
                    w: 62.0,
                    h: 48.0,
                    r: 6.0,
                    t: 28.0,
                },
                Plastic,
                0.0,
                0.0,
            );
            o.add(
                Prim::Slab {
                    w: 50.0,
                    h: 36.0,
                    t: 1.6,
                },
                Glass,
                0.0,
                0.0,
            );
            o.add(
                Prim::Slab {
                    w: 18.0,
                    h: 18.0,
                    t: 16.0,
                },
                Steel,
                -8.0,
                0.0,
            );
            o.add(
                Prim::Slab {
                    w: 20.0,
                    h: 8.0,
                    t: 8.0,
                },
                Copper,
                -8.0,
                0.0,
            );
            o.add(
                Prim::Disc {
                    rx: 6.0,
                    ry: 6.0,
                    t: 12.0,
                },
                Aluminium,
                14.0,
                10.0,
            );
            o.add(
                Prim::Slab {
                    w: 16.0,
                    h: 2.0,
                    t: 6.0,
                },
                Brass,
                38.0,
                -6.0,
            );
            o.add(
                Prim::Slab {
                    w: 16.0,
                    h: 2.0,
                    t: 6.0,
                },
                Brass,
                38.0,
                6.0,
            );
        }
        "power_bank" => {
            let n = 2 + rng.below(3);
            let h = n as f32 * 19.0 + 6.0;
            o.add(
                Prim::RoundSlab {
                    w: 80.0,
                    h,
                    r: 6.0,
                    t: 2.4,
                },
                Aluminium,
                0.0,
                0.0,
            );
            for i in 0..n {
                cell_18650(&mut o, -4.0, -h / 2.0 + 12.5 + i as f32 * 19.0, 0.0);
            }
            o.add(
                Prim::Slab {
                    w: 10.0,
                    h: h - 6.0,
                    t: 1.6,
                },
                Glass,
                34.0,
                0.0,
            );
            o.add(
                Prim::Slab {
                    w: 6.0,
                    h: 10.0,
                    t: 3.0,
                },
                Steel,
                38.0,
                0.0,
            );
        }
        "laptop" => {
            let (w, h) = (rng.range(300.0, 360.0), rng.range(210.0, 250.0));
            o.add(
                Prim::RoundSlab {
                    w,
                    h,
                    r: 10.0,
                    t: 2.6,
                },
                Aluminium,
                0.0,
                0.0,
            );
            o.add(
                Prim::Slab {
                    w: w - 20.0,
                    h: h - 25.0,
                    t: 1.5,
                },
                Glass,
                0.0,
                -5.0,
            );
            // battery: pouch cells (foil stacks) in a row at the front
            for i in 0..3 {
                o.add(
                    Prim::Slab {
                        w: w * 0.25,
                        h: 70.0,
                        t: 0.35,
                    },
                    Copper,
                    (i as f32 - 1.0) * w * 0.28,
                    h / 2.0 - 50.0,
                );
                o.add(
                    Prim::Slab {
                        w: w * 0.25,
                        h: 70.0,
                        t: 5.0,
                    },
                    Organic,
                    (i as f32 - 1.0) * w * 0.28,
                    h / 2.0 - 50.0,
                );
            }
            o.add(
                Prim::Slab {
                    w: w * 0.55,
                    h: 70.0,
                    t: 1.6,
                },
                Glass,
                -w * 0.1,
                -h / 2.0 + 50.0,
            );
            o.add(
                Prim::Slab {
                    w: 20.0,
                    h: 20.0,
                    t: 3.0,
                },
                Copper,
                0.0,
                -h / 2.0 + 45.0,
            );
            o.add(
                Prim::Ring {
                    r: 28.0,
                    ri: 8.0,
                    t: 6.0,
                },
                Plastic,
                w * 0.3,
                -h / 2.0 + 50.0,
            );
            o.add_rot(rod(120.0, 3.0), Copper, w * 0.1, -h / 2.0 + 40.0, 0.1);
            for (sx, sy) in [
                (-1.0, -1.0),
                (1.0, -1.0),
                (-1.0, 1.0),
                (1.0, 1.0),
                (0.0, 1.0),
                (0.0, -1.0),
            ] {
                o.add(
                    Prim::Disc {
                        rx: 1.6,
                        ry: 1.6,
                        t: 5.0,
                    },
                    Steel,
                    sx * (w / 2.0 - 10.0),
                    sy * (h / 2.0 - 10.0),
                );
            }
            o.add(
                Prim::Slab {
                    w: w * 0.6,
                    h: 10.0,
                    t: 6.0,
                },
                Steel,
                0.0,
                -h / 2.0 + 6.0,
            );
        }
        "phone" => {
            o.add(
                Prim::RoundSlab {
                    w: 72.0,
                    h: 148.0,
                    r: 9.0,
                    t: 1.5,
                },
                Glass,
                0.0,
                0.0,
            );
            o.add(
                Prim::OpenBox {
                    w: 73.0,
                    h: 149.0,
                    wall: 2.5,
                    depth: 7.5,
                    sheet: 0.0,
                },
                Aluminium,
                0.0,
                0.0,
            );
            o.add(
                Prim::Slab {
                    w: 60.0,
                    h: 85.0,
                    t: 0.3,
                },
                Copper,
                0.0,
                20.0,
            );
            o.add(
                Prim::Slab {
                    w: 60.0,
                    h: 85.0,
                    t: 4.0,
                },
                Organic,
                0.0,
                20.0,
            );
            o.add(
                Prim::Slab {
                    w: 60.0,
                    h: 40.0,
                    t: 1.2,
                },
                Glass,
                0.0,
                -45.0,
            );
            o.add(
                Prim::Slab {
                    w: 14.0,
                    h: 14.0,
                    t: 2.0,
                },
                Steel,
                -15.0,
                -50.0,
            );
            o.add(
                Prim::Disc {
                    rx: 5.0,
                    ry: 5.0,
                    t: 4.0,
                },
                Steel,
                20.0,
                -60.0,
            );
        }
        "tool" => match rng.below(3) {
            0 => {
                o.add(
                    rod(rng.range(70.0, 150.0), rng.range(2.5, 4.0)),
                    Steel,
                    60.0,
                    0.0,
                );
                o.add(rod(100.0, 14.0), Plastic, -40.0, 0.0);
            }
            1 => {
                let len = rng.range(140.0, 240.0);
                o.add(
                    Prim::Slab {
                        w: len,
                        h: 16.0,
                        t: 5.0,
                    },
                    Steel,
                    0.0,
                    0.0,
                );
                o.add(
                    Prim::Ring {
                        r: 15.0,
                        ri: 9.0,
                        t: 8.0,
                    },
                    Steel,
                    len / 2.0,
                    0.0,
                );
                o.add(
                    Prim::Poly {
                        pts: vec![
                            [0.0, -14.0],
                            [26.0, -18.0],
                            [26.0, -6.0],
                            [8.0, -5.0],
                            [8.0, 5.0],
                            [26.0, 6.0],
                            [26.0, 18.0],
                            [0.0, 14.0],
                        ],
                        t: 8.0,
                    },
                    Steel,
                    -len / 2.0 - 10.0,
                    0.0,
                );
            }
            _ => {
                for s in [-1.0f32, 1.0] {
                    o.add(
                        Prim::Poly {
                            pts: vec![
                                [-100.0, s * 18.0],
                                [-10.0, s * 6.0],
                                [50.0, -s * 4.0],
                                [50.0, -s * 1.0],
                                [-10.0, s * 10.0],
                                [-100.0, s * 26.0],
                            ],
                            t: 8.0,
                        },
                        Steel,
                        0.0,
                        0.0,
                    );
                    o.add_rot(
                        Prim::Slab {
                            w: 80.0,
                            h: 12.0,
                            t: 10.0,
                        },
                        Plastic,
                        -60.0,
                        s * 19.0,
                        -s * 0.12,
                    );
                }
                o.add(
                    Prim::Disc {
                        rx: 5.0,
                        ry: 5.0,
                        t: 12.0,
                    },
                    Steel,
                    -10.0,
                    0.0,
                );
            }
        },
        "keys" => {
            o.add(
                Prim::Ring {
                    r: 15.0,
                    ri: 13.0,
                    t: 2.0,
                },
                Steel,
                0.0,
                0.0,
            );
            let n = 1 + rng.below(5);
            for i in 0..n {
                let a = i as f32 * 0.5 + rng.range(-0.2, 0.2);
                let m = if rng.chance(0.5) { Brass } else { Steel };
                let mut key = Object::new();
                key.add(
                    Prim::RoundSlab {
                        w: 24.0,
                        h: 24.0,
                        r: 8.0,
                        t: 2.2,
                    },
                    m,
                    26.0,
                    0.0,
                );
                key.add(
                    Prim::Disc {
                        rx: 3.0,
                        ry: 3.0,
                        t: -2.2,
                    },
                    m,
                    18.0,
                    0.0,
                );
                key.add(
                    Prim::Poly {
                        pts: vec![
                            [38.0, -4.0],
                            [80.0, -4.0],
                            [84.0, 0.0],
                            [80.0, 4.0],
                            [72.0, 2.0],
                            [66.0, 5.0],
                            [58.0, 2.0],
                            [50.0, 5.0],
                            [38.0, 4.0],
                        ],
                        t: 2.2,
                    },
                    m,
                    0.0,
                    0.0,
                );
                o.merge(&key, 0.0, 0.0, a);
            }
        }
        "coins" => {
            let n = 3 + rng.below(12);
            for _ in 0..n {
                let r = rng.range(8.0, 13.5);
                let m = *rng
                    .pick(&[Copper, Brass, Steel, Aluminium])
                    .unwrap_or(&Copper);
                o.add(
                    Prim::Disc {
                        rx: r,
                        ry: r,
                        t: rng.range(1.5, 2.3),
                    },
                    m,
                    rng.range(-30.0, 30.0),
                    rng.range(-25.0, 25.0),
                );
            }
        }
        "can" => {
            let steel = rng.chance(0.4);
            let (len, r) = if steel { (110.0, 37.0) } else { (122.0, 33.0) };
            let m = if steel { Steel } else { Aluminium };
            let wall = if steel { 0.2 } else { 0.12 };
            o.add(
                Prim::Tube {
                    len,
                    r,
                    ri: r - wall,
                },
                m,
                0.0,
                0.0,
            );
            o.add(rod(len - 2.0, r - wall), Organic, 0.0, 0.0);
            o.add(
                Prim::Slab {
                    w: 3.0,
                    h: 2.0 * r,
                    t: 3.0,
                },
                m,
                -len / 2.0,
                0.0,
            );
            o.add(
                Prim::Slab {
                    w: 3.0,
                    h: 2.0 * r,
                    t: 3.0,
                },
                m,
                len / 2.0,
                0.0,
            );
        }
        _ => {
            // toy: hollow plastic body, battery box with two AA cells, small motor
            let (rx, ry) = (rng.range(50.0, 110.0), rng.range(40.0, 80.0));
            o.add(
                Prim::Dome {
                    rx,
                    ry,
                    t: rng.range(5.0, 10.0),
                },
                Plastic,
                0.0,
                0.0,
            );
            o.add(
                Prim::RoundSlab {
                    w: rx * 0.9,
                    h: ry * 0.5,
                    r: 6.0,
                    t: 6.0,
                },
                Plastic,
                rx * 0.3,
                ry * 0.5,
            );
            if rng.chance(0.6) {
                for k in [-7.5, 7.5] {
                    o.add(
                        Prim::Tube {
                            len: 50.0,
                            r: 7.2,
                            ri: 6.9,
                        },
                        Steel,
                        0.0,
                        k,
                    );
                    o.add(rod(48.0, 6.9), Organic, 0.0, k);
                    o.add(Prim::Scaled(Box::new(rod(46.0, 6.0)), 0.25), Glass, 0.0, k);
                }
                o.add(rod(25.0, 10.0), Steel, rx * 0.5, 0.0);
                o.add(rod(12.0, 8.0), Copper, rx * 0.5, 0.0);
            }
        }
    }
    o
}

/// A clean scene of `width × height` pixels at `mm_per_px`; `clutter_level` in `[0, 1]`.
#[must_use]
pub fn background(
    width: usize,
    height: usize,
    mm_per_px: f32,
    clutter_level: f32,
    rng: &mut Rng,
) -> Background {
    let mut map = AttenuationMap::new(width, height);
    let (wmm, hmm) = (width as f32 * mm_per_px, height as f32 * mm_per_px);
    let kind = match rng.f32() {
        u if u < 0.45 => ContainerKind::CardboardBox,
        u if u < 0.6 => ContainerKind::PaddedEnvelope,
        u if u < 0.72 => ContainerKind::PlasticMailer,
        _ => ContainerKind::Bag,
    };
    let (cw, ch) = (wmm * rng.range(0.78, 0.97), hmm * rng.range(0.74, 0.96));
    let (cx, cy) = (
        wmm / 2.0 + rng.range(-0.5, 0.5) * (wmm - cw),
        hmm / 2.0 + rng.range(-0.5, 0.5) * (hmm - ch),
    );
    let mut c = Object::new();
    match kind {
        ContainerKind::CardboardBox => {
            // corrugated board ~5 mm at ~0.15 g/cm³ ≈ 1 mm of paper per panel; side walls edge-on
            let depth = rng.range(80.0, 300.0) * 0.2;
            c.add(
                Prim::OpenBox {
                    w: cw,
                    h: ch,
                    wall: 5.0,
                    depth,
                    sheet: 1.0,
                },
                Paper,
                0.0,
                0.0,
            );
            c.add(
                Prim::Slab {
                    w: cw,
                    h: ch * 0.5,
                    t: 2.0,
                },
                Paper,
                0.0,
                -ch * 0.25,
            );
            c.add(
                Prim::Slab {
                    w: 50.0,
                    h: ch,
                    t: 0.15,
                },
                Plastic,
                0.0,
                0.0,
            );
        }
        ContainerKind::PaddedEnvelope => {
            c.add(
                Prim::RoundSlab {
                    w: cw,
                    h: ch,
                    r: 8.0,
                    t: 0.6,
                },
                Paper,
                0.0,
                0.0,
            );
            c.add(
                Prim::RoundSlab {
                    w: cw - 10.0,
                    h: ch - 10.0,
                    r: 8.0,
                    t: 2.5,
                },
                Plastic,
                0.0,
                0.0,
            );
            c.add(
                Prim::Slab {
                    w: cw,
                    h: 25.0,
                    t: 1.2,
                },
                Paper,
                0.0,
                -ch / 2.0 + 12.0,
            );
        }
        ContainerKind::PlasticMailer => {
            c.add(
                Prim::RoundSlab {
                    w: cw,
                    h: ch,
                    r: 5.0,
                    t: 0.15,
                },
                Plastic,
                0.0,
                0.0,
            );
            c.add(
                Prim::OpenBox {
                    w: cw,
                    h: ch,
                    wall: 4.0,
                    depth: 1.5,
                    sheet: 0.0,
                },
                Plastic,
                0.0,
                0.0,
            );
        }
        ContainerKind::Bag => {
            c.add(
                Prim::RoundSlab {
                    w: cw,
                    h: ch,
                    r: 30.0,
                    t: 3.0,
                },
                Plastic,
                0.0,
                0.0,
            );
            c.add(
                Prim::OpenBox {
                    w: cw,
                    h: ch,
                    wall: 12.0,
                    depth: 12.0,
                    sheet: 0.0,
                },
                Plastic,
                0.0,
                0.0,
            );
            // zip round the edge
            c.add(
                Prim::OpenBox {
                    w: cw - 16.0,
                    h: ch - 16.0,
                    wall: 3.0,
                    depth: 1.2,
                    sheet: 0.0,
                },
                Brass,
                0.0,
                0.0,
            );
            if rng.chance(0.6) {
                // trolley: two aluminium tubes, wheels with steel axles
                for s in [-1.0, 1.0] {
                    c.add(
                        Prim::Tube {
                            len: cw * 0.85,
                            r: 9.0,
                            ri: 7.5,
                        },
                        Aluminium,
                        0.0,
                        s * ch * 0.3,
                    );
                    c.add(
                        Prim::Disc {
                            rx: 28.0,
                            ry: 28.0,
                            t: 25.0,
                        },
                        Plastic,
                        -cw / 2.0 + 30.0,
                        s * (ch / 2.0 - 30.0),
                    );
                    c.add(
                        Prim::Disc {
                            rx: 4.0,
                            ry: 4.0,
                            t: 40.0,
                        },
                        Steel,
                        -cw / 2.0 + 30.0,
                        s * (ch / 2.0 - 30.0),
                    );
                }
                c.add(
                    Prim::Slab {
                        w: 30.0,
                        h: ch * 0.7,
                        t: 10.0,
                    },
                    Plastic,
                    cw / 2.0 - 20.0,
                    0.0,
                );
            }
        }
    }
    // packing: clothes, paper or foam filling much of the container
    if rng.chance(0.7) {
        for _ in 0..2 + rng.below(4) {
            let (rx, ry) = (cw * rng.range(0.2, 0.42), ch * rng.range(0.2, 0.42));
            let (fx, fy) = (
                rng.range(-0.5, 0.5) * (cw - rx),
                rng.range(-0.5, 0.5) * (ch - ry),
            );
            let material = if rng.chance(0.75) { Organic } else { Paper };
            c.add(
                Prim::Dome {
                    rx,
                    ry,
                    t: clutter_level.clamp(0.0, 1.0) * rng.range(10.0, 40.0),
                },
                material,
                fx,
                fy,
            );
        }
    }
    let k = 1.0 / mm_per_px;
    draw(
        &mut map,
        &c,
        &Placement {
            cx: cx * k,
            cy: cy * k,
            angle: 0.0,
            scale: 1.0,
            mirror: false,
            mm_per_px,
        },
    );
    let inside = [
        (cx - cw / 2.0 + 8.0) * k,
        (cy - ch / 2.0 + 8.0) * k,
        (cx + cw / 2.0 - 8.0) * k,
        (cy + ch / 2.0 - 8.0) * k,
    ];
    // a packed parcel: at the default level 0.6, 11 to 24 items that overlap
    let n = 4 + (clutter_level.clamp(0.0, 1.0) * 28.0 * rng.range(0.4, 1.2)) as usize;
    let mut names = Vec::with_capacity(n);
    for _ in 0..n {
        let kind_name = *rng.pick(&CLUTTER_KINDS).unwrap_or(&"clothes");
        let obj = clutter(kind_name, rng);
        let r = obj.radius() * k * 0.5;
        let x = rng.range(
            inside[0] + r.min((inside[2] - inside[0]) / 2.0),
            inside[2] - r.min((inside[2] - inside[0]) / 2.0),
        );
        let y = rng.range(
            inside[1] + r.min((inside[3] - inside[1]) / 2.0),
            inside[3] - r.min((inside[3] - inside[1]) / 2.0),
        );
        let pl = Placement {
            cx: x,
            cy: y,
            angle: rng.range(0.0, 2.0 * PI),
            scale: rng.range(0.95, 1.08),
            mirror: rng.chance(0.5),
            mm_per_px,
        };
        draw(&mut map, &obj, &pl);
        names.push(kind_name);
    }
    Background {
        map,
        container: kind,
        inside,
        clutter: names,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_clutter_kind_builds_and_backgrounds_attenuate_inside_only() {
        let mut rng = Rng::new(11);
        for k in CLUTTER_KINDS {
            let o = clutter(k, &mut rng);
            assert!(!o.parts.is_empty(), "{k}");
            assert!(
                o.radius() > 10.0 && o.radius() < 400.0,
                "{k}: {}",
                o.radius()
            );
        }
        let bg = background(400, 300, 2.0, 0.8, &mut rng);
        assert!(!bg.clutter.is_empty());
        // corners of the image (outside the container) stay empty in most scenes; the middle is not
        let attenuated = bg.map.high.iter().filter(|a| **a > 0.01).count();
        assert!(attenuated > 400 * 300 / 10, "{attenuated}");
    }
}
