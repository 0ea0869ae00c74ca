//! Ammunition: cartridges from C.I.P./SAAMI drawings, shotgun shells, and the boxes, clips and
//! belts they come in.

use crate::physics::Material::{Brass, Copper, Lead, Organic, Paper, Plastic, Steel};
use crate::rng::Rng;
use crate::shapes::{Object, Prim};

/// Cartridges the generator knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Calibre {
    /// 9×19 mm Parabellum.
    Nine19,
    /// .45 ACP.
    Acp45,
    /// .38 Special.
    Spl38,
    /// .22 Long Rifle (rimfire, plain lead bullet).
    Lr22,
    /// 5.56×45 mm NATO.
    Nato556,
    /// 7.62×39 mm.
    Sov762x39,
    /// 7.62×51 mm NATO.
    Nato762x51,
}

pub(super) struct Dims {
    pub(super) case_len: f32,
    pub(super) case_r: f32,
    pub(super) neck_r: f32,
    pub(super) neck_len: f32,
    pub(super) bullet_r: f32,
    pub(super) bullet_len: f32,
    pub(super) nose: f32,
    pub(super) oal: f32,
    pub(super) jacketed: bool,
}

impl Calibre {
    pub const ALL: [Calibre; 7] = [
        Calibre::Nine19,
        Calibre::Acp45,
        Calibre::Spl38,
        Calibre::Lr22,
        Calibre::Nato556,
        Calibre::Sov762x39,
        Calibre::Nato762x51,
    ];

    pub(super) fn dims(self) -> Dims {
        let d =
            |case_len, case_r, neck_r, neck_len, bullet_r, bullet_len, nose, oal, jacketed| Dims {
                case_len,
                case_r,
                neck_r,
                neck_len,
                bullet_r,
                bullet_len,
                nose,
                oal,
                jacketed,
            };
        match self {
            Calibre::Nine19 => d(19.15, 4.97, 4.82, 0.0, 4.51, 15.5, 7.0, 29.7, true),
            Calibre::Acp45 => d(22.8, 6.03, 6.03, 0.0, 5.74, 17.0, 7.0, 32.4, true),
            Calibre::Spl38 => d(29.3, 4.81, 4.81, 0.0, 4.52, 15.0, 6.0, 39.0, false),
            Calibre::Lr22 => d(15.6, 2.87, 2.87, 0.0, 2.87, 11.0, 5.0, 25.4, false),
            Calibre::Nato556 => d(44.7, 4.79, 3.2, 8.0, 2.85, 23.0, 14.0, 57.4, true),
            Calibre::Sov762x39 => d(38.7, 5.67, 4.3, 7.0, 3.95, 26.8, 15.0, 56.0, true),
            Calibre::Nato762x51 => d(51.2, 5.99, 4.3, 8.0, 3.91, 29.0, 17.0, 71.1, true),
        }
    }

    /// Overall length, mm.
    #[must_use]
    pub fn oal(self) -> f32 {
        self.dims().oal
    }

    /// Case (rim) diameter, mm.
    #[must_use]
    pub fn diameter(self) -> f32 {
        2.0 * self.dims().case_r
    }
}

/// One cartridge lying on its side, axis along x, centred, bullet towards +x: brass case
/// (solid head, thin walls, bottleneck where the calibre has one), propellant, lead core in a
/// copper jacket with an ogive nose.
#[must_use]
pub fn cartridge(cal: Calibre) -> Object {
    let d = cal.dims();
    let mut o = Object::new();
    let base = -d.oal / 2.0;
    let tip = d.oal / 2.0;
    let case_mat = if cal == Calibre::Lr22 { Copper } else { Brass };
    let head = 2.5f32.min(d.case_len * 0.15);
    o.add(
        Prim::Rod {
            len: head,
            r: d.case_r,
        },
        case_mat,
        base + head / 2.0,
        0.0,
    );
    let body = d.case_len - head - d.neck_len;
    let wall = if cal == Calibre::Lr22 { 0.3 } else { 0.45 };
    o.add(
        Prim::Tube {
            len: body,
            r: d.case_r,
            ri: d.case_r - wall,
        },
        case_mat,
        base + head + body / 2.0,
        0.0,
    );
    if d.neck_len > 0.0 {
        o.add(
            Prim::Tube {
                len: d.neck_len,
                r: d.neck_r,
                ri: d.neck_r - 0.35,
            },
            case_mat,
            base + d.case_len - d.neck_len / 2.0,
            0.0,
        );
    }
    // propellant (nitrocellulose, taken as organic) behind the bullet
    let bullet_base = tip - d.bullet_len;
    let powder_len = (bullet_base - base - head).max(0.5);
    o.add(
        Prim::Rod {
            len: powder_len,
            r: (d.case_r - wall) * 0.9,
        },
        Organic,
        base + head + powder_len / 2.0,
        0.0,
    );
    let cyl = d.bullet_len - d.nose;
    let jacket = if d.jacketed { 0.35 } else { 0.0 };
    o.add(
        Prim::Rod {
            len: cyl,
            r: d.bullet_r - jacket,
        },
        Lead,
        bullet_base + cyl / 2.0,
        0.0,
    );
    if d.jacketed {
        o.add(
            Prim::Tube {
                len: cyl,
                r: d.bullet_r,
                ri: d.bullet_r - jacket,
            },
            Copper,
            bullet_base + cyl / 2.0,
            0.0,
        );
    }
    o.add(
        Prim::Ogive {
            len: d.nose,
            r: d.bullet_r,
        },
        if d.jacketed { Copper } else { Lead },
        tip - d.nose,
        0.0,
    );
    if d.jacketed {
        o.add(
            Prim::Ogive {
                len: d.nose - 1.0,
                r: d.bullet_r - jacket,
            },
            Lead,
            tip - d.nose,
            0.0,
        );
    }
    o
}

/// The cartridge standing on its base, seen end-on (in a box): concentric discs.
pub(super) fn cartridge_end_on(cal: Calibre) -> Object {
    let d = cal.dims();
    let mut o = Object::new();
    let case_mat = if cal == Calibre::Lr22 { Copper } else { Brass };
    o.add(
        Prim::Ring {
            r: d.case_r,
            ri: d.case_r - 0.45,
            t: d.case_len - 2.5,
        },
        case_mat,
        0.0,
        0.0,
    );
    o.add(
        Prim::Disc {
            rx: d.case_r,
            ry: d.case_r,
            t: 2.5,
        },
        case_mat,
        0.0,
        0.0,
    );
    o.add(
        Prim::Disc {
            rx: d.bullet_r,
            ry: d.bullet_r,
            t: d.bullet_len * 0.8,
        },
        Lead,
        0.0,
        0.0,
    );
    o.add(
        Prim::Disc {
            rx: d.case_r - 0.5,
            ry: d.case_r - 0.5,
            t: (d.case_len - d.bullet_len * 0.4).max(1.0),
        },
        Organic,
        0.0,
        0.0,
    );
    o
}

/// A 12-gauge shell on its side (70 mm): polyethylene hull, brass head, wad, and lead shot
/// (birdshot, 00 buckshot or a slug).
#[must_use]
pub fn shotgun_shell(rng: &mut Rng) -> Object {
    let mut o = Object::new();
    let (len, r) = (70.0, 10.25);
    o.add(
        Prim::Tube {
            len,
            r,
            ri: r - 0.6,
        },
        Plastic,
        0.0,
        0.0,
    );
    o.add(
        Prim::Tube {
            len: 16.0,
            r: r + 0.2,
            ri: r - 0.3,
        },
        Brass,
        -len / 2.0 + 8.0,
        0.0,
    );
    o.add(
        Prim::Rod {
            len: 1.5,
            r: r + 0.5,
        },
        Brass,
        -len / 2.0 + 0.75,
        0.0,
    );
    o.add(
        Prim::Rod {
            len: 10.0,
            r: r - 0.8,
        },
        Organic,
        -len / 2.0 + 9.0,
        0.0,
    );
    o.add(
        Prim::Rod {
            len: 12.0,
            r: r - 0.8,
        },
        Plastic,
        -len / 2.0 + 20.0,
        0.0,
    );
    let (x0, x1) = (-len / 2.0 + 27.0, len / 2.0 - 6.0);
    match rng.below(3) {
        0 => {
            // 00 buckshot: 8.4 mm pellets, three layers of three
            for i in 0..3 {
                for j in 0..3 {
                    let x = x0 + 4.5 + i as f32 * 8.6;
                    let y = (j as f32 - 1.0) * 5.5;
                    o.add(
                        Prim::Dome {
                            rx: 4.2,
                            ry: 4.2,
                            t: 8.4,
                        },
                        Lead,
                        x,
                        y,
                    );
                }
            }
        }
        1 => {
            // birdshot ~2.5 mm: many pellets, packing ~60 % of the column
            let mut x = x0 + 1.3;
            while x < x1 {
                let mut y = -r + 2.2;
                while y < r - 2.0 {
                    let depth = 0.6 * 2.0 * ((r - 0.8).powi(2) - y * y).max(0.0).sqrt();
                    o.add(
                        Prim::Dome {
                            rx: 1.25,
                            ry: 1.25,
                            t: depth,
                        },
                        Lead,
                        x,
                        y,
                    );
                    y += 2.5;
                }
                x += 2.5;
            }
        }
        _ => {
            o.add(
                Prim::Rod {
                    len: 18.0,
                    r: r - 1.2,
                },
                Lead,
                x0 + 10.0,
                0.0,
            );
        }
    }
    o
}

/// A pistol calibre, 9 mm twice as likely as the others.
pub(super) fn pistol_calibre(rng: &mut Rng) -> Calibre {
    *rng.pick(&[
        Calibre::Nine19,
        Calibre::Nine19,
        Calibre::Acp45,
        Calibre::Spl38,
        Calibre::Lr22,
    ])
    .unwrap_or(&Calibre::Nine19)
}

/// Builds the ammunition variant `name` (None when it is not one).
pub(super) fn build(name: &str, rng: &mut Rng) -> Option<Object> {
    let object = match name {
        "cartridge" => {
            let cal = *rng.pick(&Calibre::ALL).unwrap_or(&Calibre::Nine19);
            cartridge(cal)
        }
        "shotgun_shell" => shotgun_shell(rng),
        "ammunition_box" => {
            let mut o = Object::new();
            let cal = pistol_calibre(rng);
            let dia = cal.diameter() + 1.2;
            let (cols, rows) = (10usize, 5usize);
            let (w, h) = (cols as f32 * dia + 8.0, rows as f32 * dia + 8.0);
            o.add(
                Prim::OpenBox {
                    w: w + 4.0,
                    h: h + 4.0,
                    wall: 1.5,
                    depth: cal.oal() + 6.0,
                    sheet: 0.6,
                },
                Paper,
                0.0,
                0.0,
            );
            o.add(Prim::Slab { w, h, t: 1.5 }, Plastic, 0.0, 0.0);
            let round = cartridge_end_on(cal);
            let missing = rng.below(8);
            for r in 0..rows {
                for c in 0..cols {
                    if (r * cols + c) % 11 < missing.min(3) && missing > 4 {
                        continue;
                    }
                    o.merge(
                        &round,
                        -w / 2.0 + 4.0 + (c as f32 + 0.5) * dia,
                        -h / 2.0 + 4.0 + (r as f32 + 0.5) * dia,
                        0.0,
                    );
                }
            }
            o
        }
        "ammunition_clip" => {
            let mut o = Object::new();
            let (cal, n) = *rng
                .pick(&[
                    (Calibre::Nato556, 10usize),
                    (Calibre::Sov762x39, 10),
                    (Calibre::Nato762x51, 5),
                ])
                .unwrap_or(&(Calibre::Nato556, 10));
            let pitch = cal.diameter() * 1.02;
            let span = pitch * n as f32;
            let round = cartridge(cal);
            for i in 0..n {
                o.merge(&round, 0.0, -span / 2.0 + (i as f32 + 0.5) * pitch, 0.0);
            }
            o.add(
                Prim::Slab {
                    w: 5.0,
                    h: span + 4.0,
                    t: 6.0,
                },
                Steel,
                -cal.oal() / 2.0 + 1.5,
                0.0,
            );
            o
        }
        "ammunition_belt" => {
            let mut o = Object::new();
            let cal = *rng
                .pick(&[Calibre::Nato556, Calibre::Nato762x51])
                .unwrap_or(&Calibre::Nato556);
            let n = 8 + rng.below(14);
            let pitch = cal.diameter() + rng.range(2.5, 5.0);
            let bend = rng.range(-0.03, 0.03);
            let round = cartridge(cal);
            let (mut x, mut y, mut a) = (0.0f32, 0.0f32, 0.0f32);
            for _ in 0..n {
                o.merge(&round, x, y, a);
                for off in [-cal.oal() * 0.25, cal.oal() * 0.05] {
                    let (s, c) = a.sin_cos();
                    o.add_rot(
                        Prim::Ring {
                            r: cal.diameter() / 2.0 + 1.2,
                            ri: cal.diameter() / 2.0 + 0.2,
                            t: 3.0,
                        },
                        Steel,
                        x + c * off,
                        y + s * off,
                        a,
                    );
                }
                a += bend;
                x += -a.sin() * pitch;
                y += a.cos() * pitch;
            }
            let mut c = Object::new();
            c.merge(&o, -x / 2.0, -y / 2.0, 0.0);
            c
        }
        _ => return None,
    };
    Some(object)
}
