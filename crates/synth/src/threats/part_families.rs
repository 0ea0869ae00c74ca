//! Parametric part families ([`super::PART_FAMILIES`], [`super::LIGHT_FRAME_FAMILY`]): each draw
//! picks an architecture and its dimensions at random.

use super::ammunition::pistol_calibre;
use crate::physics::Material::{self, Aluminium, Plastic, Steel};
use crate::rng::Rng;
use crate::shapes::{Object, Prim};

fn light(rng: &mut Rng, p_polymer: f32) -> Material {
    if rng.chance(p_polymer) {
        Plastic
    } else {
        Aluminium
    }
}

/// A frame or receiver of light material, of random architecture and size: a lower receiver
/// (body, magazine well solid or hollow, grip boss, buffer tower, trigger guard), a pistol frame
/// (rail, hollow grip, trigger guard; steel inserts when polymer), or an upper receiver (hollow
/// body, ejection port, rail).
fn light_frame_family(rng: &mut Rng) -> Object {
    let mut o = Object::new();
    match rng.below(10) {
        0..=3 => {
            let m = light(rng, 0.3);
            let k = if m == Plastic { 1.6 } else { 1.0 };
            let (len, h, t) = (
                rng.range(150.0, 235.0),
                rng.range(22.0, 40.0),
                k * rng.range(7.0, 13.0),
            );
            o.add(Prim::Slab { w: len, h, t }, m, 0.0, 0.0);
            let (wx, ww, wd) = (
                rng.range(0.0, 0.3) * len,
                rng.range(50.0, 85.0),
                rng.range(30.0, 62.0),
            );
            let lean = rng.range(-6.0, 6.0);
            let well = vec![
                [-ww / 2.0, h / 2.0 - 2.0],
                [ww / 2.0, h / 2.0 - 2.0],
                [ww / 2.0 + lean, h / 2.0 + wd],
                [-ww / 2.0 + lean, h / 2.0 + wd],
            ];
            o.add(
                Prim::Poly {
                    pts: well,
                    t: k * rng.range(6.0, 10.0),
                },
                m,
                wx,
                0.0,
            );
            if rng.chance(0.5) {
                let wall = rng.range(3.0, 6.0);
                let inner = vec![
                    [-ww / 2.0 + wall, h / 2.0],
                    [ww / 2.0 - wall, h / 2.0],
                    [ww / 2.0 - wall + lean, h / 2.0 + wd - wall],
                    [-ww / 2.0 + wall + lean, h / 2.0 + wd - wall],
                ];
                o.add(
                    Prim::Neg(Box::new(Prim::Poly {
                        pts: inner,
                        t: k * rng.range(3.0, 5.0),
                    })),
                    m,
                    wx,
                    0.0,
                );
            }
            let (bw, bh) = (rng.range(18.0, 30.0), rng.range(h + 10.0, h + 28.0));
            o.add(
                Prim::Slab {
                    w: bw,
                    h: bh,
                    t: k * rng.range(22.0, 36.0),
                },
                m,
                -len / 2.0 + bw / 2.0,
                -(bh - h) / 2.0,
            );
            if rng.chance(0.6) {
                let r = rng.range(14.0, 18.0);
                o.add(
                    Prim::Tube {
                        len: rng.range(12.0, 30.0),
                        r,
                        ri: r - 3.0,
                    },
                    m,
                    -len / 2.0 - 6.0,
                    -(bh - h) / 2.0,
                );
            }
            let gx = -len / 2.0 + bw + rng.range(20.0, 45.0);
            o.add(
                Prim::Slab {
                    w: rng.range(24.0, 36.0),
                    h: rng.range(10.0, 18.0),
                    t: k * rng.range(14.0, 22.0),
                },
                m,
                gx,
                h / 2.0 + 4.0,
            );
            let r = rng.range(14.0, 20.0);
            let gap = wx - ww / 2.0 - gx;
            if rng.chance(0.7) {
                o.add(
                    Prim::Ring {
                        r,
                        ri: r - rng.range(3.5, 6.0),
                        t: k * rng.range(4.0, 8.0),
                    },
                    m,
                    gx + gap * 0.55,
                    h / 2.0 + r * 0.5,
                );
            } else {
                o.add(
                    Prim::Slab {
                        w: gap.abs().max(20.0),
                        h: 4.0,
                        t: k * 6.0,
                    },
                    m,
                    gx + gap * 0.5,
                    h / 2.0 + 14.0,
                );
            }
            o.add(
                Prim::Neg(Box::new(Prim::Slab {
                    w: rng.range(25.0, 40.0),
                    h: h * 0.45,
                    t: k * rng.range(3.0, 6.0),
                })),
                m,
                gx + gap * 0.5,
                0.0,
            );
            for _ in 0..2 + rng.below(3) {
                o.add(
                    Prim::Disc {
                        rx: 1.6,
                        ry: 1.6,
                        t: rng.range(18.0, 26.0),
                    },
                    Steel,
                    rng.range(-0.4, 0.1) * len,
                    rng.range(-0.2, 0.2) * h,
                );
            }
        }
        4..=7 => {
            let m = light(rng, 0.6);
            let k = if m == Plastic { 1.5 } else { 1.0 };
            pistol_frame(&mut o, rng, m, |rng| k * rng.range(10.0, 16.0), 4.0, true);
        }
        _ => {
            let m = light(rng, 0.25);
            let k = if m == Plastic { 1.6 } else { 1.0 };
            let (len, r) = (rng.range(150.0, 230.0), rng.range(13.0, 19.0));
            o.add(
                Prim::Tube {
                    len,
                    r,
                    ri: r - k * rng.range(2.5, 4.0),
                },
                m,
                0.0,
                0.0,
            );
            o.add(
                Prim::Slab {
                    w: len,
                    h: rng.range(6.0, 10.0),
                    t: k * rng.range(12.0, 20.0),
                },
                m,
                0.0,
                -r - 3.0,
            );
            o.add(
                Prim::Neg(Box::new(Prim::Slab {
                    w: rng.range(35.0, 60.0),
                    h: r * 0.8,
                    t: k * rng.range(2.0, 4.0),
                })),
                m,
                rng.range(-0.05, 0.2) * len,
                r * 0.2,
            );
            if rng.chance(0.6) {
                o.add(
                    Prim::Rod {
                        len: rng.range(15.0, 25.0),
                        r: rng.range(4.0, 6.0),
                    },
                    m,
                    -len * 0.2,
                    r + 3.0,
                );
            }
            o.add(
                Prim::Slab {
                    w: rng.range(14.0, 22.0),
                    h: rng.range(12.0, 20.0),
                    t: k * rng.range(10.0, 18.0),
                },
                m,
                -len / 2.0 + 10.0,
                r + 6.0,
            );
        }
    }
    o
}

fn metal(rng: &mut Rng, p_aluminium: f32) -> Material {
    if rng.chance(p_aluminium) {
        Aluminium
    } else {
        Steel
    }
}

/// A frame or receiver: machined block with a magazine well, stamped sheet box, tubular
/// receiver, or a pistol frame (metal, or polymer with steel inserts).
fn receiver_family(rng: &mut Rng) -> Object {
    let mut o = Object::new();
    match rng.below(4) {
        0 => {
            let m = metal(rng, 0.7);
            let (len, h, t) = (
                rng.range(140.0, 250.0),
                rng.range(22.0, 40.0),
                rng.range(7.0, 14.0),
            );
            o.add(Prim::Slab { w: len, h, t }, m, 0.0, 0.0);
            let (wx, ww, wd) = (
                rng.range(-0.15, 0.3) * len,
                rng.range(45.0, 90.0),
                rng.range(25.0, 65.0),
            );
            let lean = rng.range(-8.0, 8.0);
            let well = vec![
                [-ww / 2.0, h / 2.0 - 2.0],
                [ww / 2.0, h / 2.0 - 2.0],
                [ww / 2.0 + lean, h / 2.0 + wd],
                [-ww / 2.0 + lean, h / 2.0 + wd],
            ];
            o.add(
                Prim::Poly {
                    pts: well,
                    t: rng.range(5.0, 10.0),
                },
                m,
                wx,
                0.0,
            );
            if rng.chance(0.6) {
                let (bw, bh) = (rng.range(16.0, 30.0), rng.range(h, h + 25.0));
                o.add(
                    Prim::Slab {
                        w: bw,
                        h: bh,
                        t: rng.range(20.0, 36.0),
                    },
                    m,
                    -len / 2.0 + bw / 2.0,
                    -(bh - h) / 2.0,
                );
                if rng.chance(0.5) {
                    o.add(
                        Prim::Tube {
                            len: rng.range(15.0, 40.0),
                            r: 16.0,
                            ri: 13.0,
                        },
                        m,
                        -len / 2.0 - 8.0,
                        -(bh - h) / 2.0,
                    );
                }
            }
            if rng.chance(0.7) {
                let r = rng.range(14.0, 20.0);
                o.add(
                    Prim::Ring {
                        r,
                        ri: r - rng.range(3.0, 6.0),
                        t: rng.range(5.0, 9.0),
                    },
                    m,
                    wx - ww / 2.0 - r * 0.8,
                    h / 2.0 + r * 0.6,
                );
            }
            if rng.chance(0.5) {
                o.add(
                    Prim::Slab {
                        w: rng.range(20.0, 40.0),
                        h: rng.range(10.0, 20.0),
                        t: rng.range(10.0, 24.0),
                    },
                    m,
                    wx - ww / 2.0 - 30.0,
                    h / 2.0 + 8.0,
                );
            }
            for _ in 0..2 + rng.below(3) {
                o.add(
                    Prim::Disc {
                        rx: 1.6,
                        ry: 1.6,
                        t: rng.range(18.0, 26.0),
                    },
                    Steel,
                    rng.range(-0.4, 0.3) * len,
                    rng.range(-0.3, 0.3) * h,
                );
            }
        }
        1 => {
            let (len, h, depth) = (
                rng.range(170.0, 300.0),
                rng.range(28.0, 50.0),
                rng.range(22.0, 36.0),
            );
            let sheet = rng.range(0.8, 1.5);
            o.add(
                Prim::OpenBox {
                    w: len,
                    h,
                    wall: sheet + 0.5,
                    depth,
                    sheet,
                },
                Steel,
                0.0,
                0.0,
            );
            let tw = rng.range(22.0, 40.0);
            o.add(
                Prim::Slab {
                    w: tw,
                    h: h * 0.8,
                    t: depth,
                },
                Steel,
                len / 2.0 - tw / 2.0,
                0.0,
            );
            o.add(
                Prim::Slab {
                    w: len * 0.9,
                    h: 3.0,
                    t: 6.0,
                },
                Steel,
                0.0,
                -h / 2.0 + 3.0,
            );
            if rng.chance(0.7) {
                o.add(
                    Prim::Slab {
                        w: rng.range(30.0, 45.0),
                        h: h * 0.5,
                        t: -sheet,
                    },
                    Steel,
                    len * rng.range(0.0, 0.2),
                    h * 0.25,
                );
            }
            for _ in 0..3 + rng.below(5) {
                o.add(
                    Prim::Disc {
                        rx: 2.2,
                        ry: 2.2,
                        t: depth,
                    },
                    Steel,
                    rng.range(-0.45, 0.45) * len,
                    rng.range(-0.35, 0.35) * h,
                );
            }
            if rng.chance(0.5) {
                let r = rng.range(12.0, 18.0);
                o.add(
                    Prim::Ring {
                        r,
                        ri: r - 3.0,
                        t: 4.0,
                    },
                    Steel,
                    rng.range(-0.1, 0.2) * len,
                    h / 2.0 + r * 0.7,
                );
            }
        }
        2 => {
            let (len, r) = (rng.range(140.0, 240.0), rng.range(13.0, 20.0));
            o.add(
                Prim::Tube {
                    len,
                    r,
                    ri: r - rng.range(2.5, 4.5),
                },
                Steel,
                0.0,
                0.0,
            );
            o.add(
                Prim::Neg(Box::new(Prim::Slab {
                    w: rng.range(40.0, 75.0),
                    h: r * 0.8,
                    t: rng.range(3.0, 6.0),
                })),
                Steel,
                rng.range(-0.1, 0.2) * len,
                -r * 0.3,
            );
            o.add(
                Prim::Slab {
                    w: rng.range(10.0, 18.0),
                    h: rng.range(8.0, 14.0),
                    t: rng.range(14.0, 22.0),
                },
                Steel,
                len / 2.0 - 14.0,
                r + 4.0,
            );
            o.add(
                Prim::Slab {
                    w: rng.range(30.0, 60.0),
                    h: 8.0,
                    t: 8.0,
                },
                Steel,
                -len / 2.0 - 15.0,
                r * 0.3,
            );
            if rng.chance(0.5) {
                o.add(
                    Prim::Slab {
                        w: rng.range(50.0, 80.0),
                        h: 6.0,
                        t: -4.0,
                    },
                    Steel,
                    0.0,
                    r * 0.7,
                );
            }
        }
        _ => {
            let polymer = rng.chance(0.35);
            let m = if polymer { Plastic } else { metal(rng, 0.4) };
            pistol_frame(&mut o, rng, m, |rng| rng.range(12.0, 22.0), 0.0, false);
        }
    }
    o
}

/// A pistol frame of material `m` into `o`: rail, grip with a hollow magazine well (hollow to
/// `well_extra` mm more than
/// the rail is thick, less a wall), trigger guard ring, a cut-out behind the guard when
/// `guard_cutout` holds, steel
/// rails and block when polymer, and pins. `t_mm` draws the rail's
/// thickness, after its length and height.
fn pistol_frame(
    o: &mut Object,
    rng: &mut Rng,
    m: Material,
    t_mm: impl FnOnce(&mut Rng) -> f32,
    well_extra: f32,
    guard_cutout: bool,
) {
    let len = rng.range(120.0, 210.0);
    let rail_h = rng.range(9.0, 16.0);
    let t = t_mm(rng);
    let (gw, gh, slant) = (
        rng.range(40.0, 56.0),
        rng.range(70.0, 110.0),
        rng.range(0.15, 0.4),
    );
    let back = -len / 2.0;
    let dx = gh * slant.tan();
    o.add(
        Prim::Slab {
            w: len,
            h: rail_h,
            t,
        },
        m,
        0.0,
        rail_h / 2.0,
    );
    o.add(
        Prim::Poly {
            pts: vec![
                [back, rail_h],
                [back + gw, rail_h],
                [back + gw - dx, rail_h + gh],
                [back - dx, rail_h + gh],
            ],
            t: t + 4.0,
        },
        m,
        0.0,
        0.0,
    );
    let wall = rng.range(3.0, 6.0);
    let depth = -(t + well_extra - rng.range(3.0, 6.0));
    let well = vec![
        [back + wall, rail_h + 8.0],
        [back + gw - wall, rail_h + 8.0],
        [back + gw - wall - dx, rail_h + gh],
        [back + wall - dx, rail_h + gh],
    ];
    o.add(
        Prim::Poly {
            pts: well,
            t: depth,
        },
        m,
        0.0,
        0.0,
    );
    let r = rng.range(14.0, 19.0);
    o.add(
        Prim::Ring {
            r,
            ri: r - 4.5,
            t: t * 0.6,
        },
        m,
        back + gw + r,
        rail_h + r * 0.5,
    );
    if guard_cutout && rng.chance(0.5) {
        o.add(
            Prim::Slab {
                w: rng.range(25.0, 45.0),
                h: rng.range(8.0, 14.0),
                t: -t * 0.6,
            },
            m,
            back + gw + r,
            rail_h - 2.0,
        );
    }
    if m == Plastic {
        for i in 0..2 {
            o.add(
                Prim::Slab {
                    w: rng.range(14.0, 24.0),
                    h: 4.0,
                    t: 10.0,
                },
                Steel,
                back + 12.0 + i as f32 * rng.range(70.0, 100.0),
                3.0,
            );
        }
        o.add(
            Prim::Slab {
                w: 14.0,
                h: 8.0,
                t: 14.0,
            },
            Steel,
            back + gw + 10.0,
            rail_h,
        );
    }
    for _ in 0..1 + rng.below(3) {
        o.add(
            Prim::Disc {
                rx: 1.5,
                ry: 1.5,
                t: t + 4.0,
            },
            Steel,
            back + rng.range(10.0, gw + 40.0),
            rail_h + rng.range(0.0, 12.0),
        );
    }
}

/// A bolt or breech block: a round bolt (lugs, maybe a handle), a rectangular breech block, or
/// a bolt carrier with its operating rod.
fn bolt_family(rng: &mut Rng) -> Object {
    let mut o = Object::new();
    match rng.below(3) {
        0 => {
            let (len, r) = (rng.range(70.0, 200.0), rng.range(6.0, 11.0));
            o.add(Prim::Rod { len, r }, Steel, 0.0, 0.0);
            o.add(
                Prim::Neg(Box::new(Prim::Rod {
                    len: len * 0.7,
                    r: r * 0.3,
                })),
                Steel,
                -len * 0.1,
                0.0,
            );
            let lug = rng.range(6.0, 14.0);
            for s in [-1.0f32, 1.0] {
                o.add(
                    Prim::Slab {
                        w: lug,
                        h: rng.range(3.0, 6.0),
                        t: rng.range(6.0, 10.0),
                    },
                    Steel,
                    len / 2.0 - lug / 2.0 - 2.0,
                    s * (r + 1.5),
                );
            }
            if rng.chance(0.6) {
                let (hx, hl, a) = (
                    rng.range(-0.45, 0.0) * len,
                    rng.range(30.0, 65.0),
                    rng.range(1.0, 1.5),
                );
                let (s, c) = a.sin_cos();
                o.add_rot(
                    Prim::Rod {
                        len: hl,
                        r: rng.range(3.0, 5.0),
                    },
                    Steel,
                    hx + c * hl / 2.0,
                    r + s * hl / 2.0,
                    a,
                );
                if rng.chance(0.8) {
                    let k = rng.range(7.0, 11.0);
                    o.add(
                        Prim::Dome {
                            rx: k,
                            ry: k,
                            t: 2.0 * k,
                        },
                        Steel,
                        hx + c * hl,
                        r + s * hl,
                    );
                }
            }
            if rng.chance(0.5) {
                o.add(
                    Prim::Rod {
                        len: rng.range(20.0, 40.0),
                        r: r + rng.range(1.0, 4.0),
                    },
                    Steel,
                    -len / 2.0 - 12.0,
                    0.0,
                );
            }
        }
        1 => {
            let (w, h, t) = (
                rng.range(35.0, 95.0),
                rng.range(16.0, 36.0),
                rng.range(14.0, 30.0),
            );
            o.add(
                Prim::RoundSlab {
                    w,
                    h,
                    r: rng.range(1.0, 5.0),
                    t,
                },
                Steel,
                0.0,
                0.0,
            );
            o.add(
                Prim::Neg(Box::new(Prim::Rod {
                    len: w * 0.8,
                    r: rng.range(1.5, 3.0),
                })),
                Steel,
                w * 0.1,
                0.0,
            );
            o.add(
                Prim::Slab {
                    w: rng.range(8.0, 20.0),
                    h: 3.0,
                    t: -t * 0.4,
                },
                Steel,
                w / 2.0 - 8.0,
                -h / 2.0 + 2.0,
            );
            if rng.chance(0.6) {
                o.add(
                    Prim::Rod {
                        len: rng.range(40.0, 110.0),
                        r: rng.range(2.0, 4.0),
                    },
                    Steel,
                    -w / 2.0 - 25.0,
                    rng.range(-0.3, 0.3) * h,
                );
            }
        }
        _ => {
            let (len, r) = (rng.range(75.0, 135.0), rng.range(9.0, 14.0));
            o.add(Prim::Rod { len, r }, Steel, 0.0, 0.0);
            o.add(
                Prim::Neg(Box::new(Prim::Rod {
                    len: len * 0.6,
                    r: r * 0.4,
                })),
                Steel,
                -len * 0.15,
                0.0,
            );
            o.add(
                Prim::Rod {
                    len: rng.range(20.0, 40.0),
                    r: r * 0.55,
                },
                Steel,
                len / 2.0 + 12.0,
                0.0,
            );
            let rod_len = rng.range(60.0, 320.0);
            let rr = rng.range(3.0, 6.0);
            o.add(
                Prim::Rod {
                    len: rod_len,
                    r: rr,
                },
                Steel,
                -len / 2.0 + rod_len / 2.0 + 10.0,
                -r - rr,
            );
            if rng.chance(0.5) {
                o.add(
                    Prim::Rod {
                        len: 12.0,
                        r: rr + 5.0,
                    },
                    Steel,
                    -len / 2.0 + rod_len + 10.0,
                    -r - rr,
                );
            }
            if rng.chance(0.5) {
                o.add(
                    Prim::Slab {
                        w: rng.range(12.0, 25.0),
                        h: rng.range(8.0, 15.0),
                        t: 10.0,
                    },
                    Steel,
                    -len * 0.2,
                    r + 5.0,
                );
            }
        }
    }
    o
}

/// A barrel: pistol, rifle or shotgun bore, tapered, maybe with a chamber block, sight, muzzle
/// device or thread.
fn barrel_family(rng: &mut Rng) -> Object {
    let mut o = Object::new();
    let (len, r, ri) = match rng.below(3) {
        0 => {
            let cal = pistol_calibre(rng);
            (
                rng.range(60.0, 160.0),
                cal.dims().case_r + rng.range(1.5, 4.0),
                cal.dims().bullet_r,
            )
        }
        1 => (
            rng.range(250.0, 600.0),
            rng.range(7.0, 13.0),
            rng.range(2.7, 3.9),
        ),
        _ => (
            rng.range(300.0, 650.0),
            rng.range(10.5, 13.0),
            rng.range(8.8, 9.8),
        ),
    };
    let taper = rng.range(0.55, 1.0);
    o.add(
        Prim::Tube {
            len: len * 0.4,
            r,
            ri,
        },
        Steel,
        -len * 0.3,
        0.0,
    );
    o.add(
        Prim::Tube {
            len: len * 0.6,
            r: (r * taper).max(ri + 1.5),
            ri,
        },
        Steel,
        len * 0.2,
        0.0,
    );
    if rng.chance(0.6) {
        let cw = rng.range(15.0, 45.0);
        o.add(
            Prim::Tube {
                len: cw,
                r: r + rng.range(1.0, 6.0),
                ri: ri + 1.0,
            },
            Steel,
            -len / 2.0 + cw / 2.0,
            0.0,
        );
    }
    if rng.chance(0.4) {
        o.add(
            Prim::Slab {
                w: rng.range(6.0, 20.0),
                h: rng.range(5.0, 14.0),
                t: rng.range(4.0, 10.0),
            },
            Steel,
            len * rng.range(0.3, 0.47),
            -r - 4.0,
        );
    }
    if rng.chance(0.3) {
        let ml = rng.range(20.0, 60.0);
        o.add(
            Prim::Tube {
                len: ml,
                r: r * taper + rng.range(2.0, 6.0),
                ri: ri + 1.0,
            },
            Steel,
            len / 2.0 + ml / 2.0,
            0.0,
        );
    }
    o
}

/// Builds the part family `name` (None when it is not one).
pub(super) fn build(name: &str, rng: &mut Rng) -> Option<Object> {
    let object = match name {
        "receiver_family" => receiver_family(rng),
        "bolt_family" => bolt_family(rng),
        "barrel_family" => barrel_family(rng),
        "light_frame_family" => light_frame_family(rng),
        _ => return None,
    };
    Some(object)
}
