//! Silencers (sound suppressors, [`super::SILENCERS`]): a sealed tube with internal baffles, which
//! the Protocol counts as a part (art. 3(b)). Drawn only in place of a part at the rate a dataset
//! asks for ([`crate::SynthOptions::with_silencer_fraction`]).
//!
//! Each draw picks its sizes: a steel or aluminium tube 120–250 mm long and 25–45 mm across, its
//! wall 1–2.5 mm; a front cap with the bore (4.5–6 mm radius, up to .30 calibre); a rear cap with
//! a threaded mount (a female thread in the cap, or a threaded stub standing out of it); inside, a
//! stack of cone baffles, each a thin conical shell from the tube wall to the bore, seated in a
//! spacer ring against the wall. Seen from the side (`silencer_side`, axis along x, the gun end at
//! -x) the cones show as chevrons and the spacer rings as denser bands across the tube; seen along
//! its axis (`silencer_end_on`) it is a ring as thick as the tube is long round the stacked cones
//! and an open bore.

use crate::physics::Material::{self, Aluminium, Steel};
use crate::rng::Rng;
use crate::shapes::{Object, Prim};

/// The drawn sizes of one silencer, in mm.
struct Dims {
    len: f32,
    r: f32,
    wall: f32,
    bore_r: f32,
    front_cap: f32,
    rear_cap: f32,
    thread_r: f32,
    baffles: usize,
    sheet: f32,
    can: Material,
    baffle: Material,
}

fn draw_dims(rng: &mut Rng) -> Dims {
    let len = rng.range(120.0, 250.0);
    let r = rng.range(12.5, 22.5);
    let steel = rng.chance(0.6);
    let can = if steel { Steel } else { Aluminium };
    // aluminium cans often hold steel baffles (the blast baffle takes the most wear)
    let baffle = if steel || rng.chance(0.5) {
        Steel
    } else {
        Aluminium
    };
    let wall = if steel {
        rng.range(1.0, 1.6)
    } else {
        rng.range(1.5, 2.5)
    };
    let rear_cap = rng.range(12.0, 22.0);
    let front_cap = rng.range(5.0, 10.0);
    // one baffle per 14-22 mm of the space between the caps
    let inner = len - rear_cap - front_cap;
    let pitch = rng.range(14.0, 22.0);
    let baffles = ((inner / pitch) as usize).clamp(3, 14);
    Dims {
        len,
        r,
        wall,
        bore_r: rng.range(4.5, 6.0),
        front_cap,
        rear_cap,
        // 1/2x28 to M18x1: 6.35 to 9 mm, never wider than the cap leaves room for
        thread_r: rng.range(6.35, 9.0).min(r - wall - 2.0),
        baffles,
        sheet: rng.range(1.0, 1.6),
        can,
        baffle,
    }
}

/// Seen from the side: the tube along x, the gun end (threaded mount) at -x.
fn side(d: &Dims, rng: &mut Rng) -> Object {
    let mut o = Object::new();
    let ri = d.r - d.wall;
    let (x_rear, x_front) = (-d.len / 2.0, d.len / 2.0);
    // the tube between the caps
    o.add(
        Prim::Tube {
            len: d.len - d.rear_cap - d.front_cap,
            r: d.r,
            ri,
        },
        d.can,
        (d.rear_cap - d.front_cap) / 2.0,
        0.0,
    );
    // front cap with the bore
    let fx = x_front - d.front_cap / 2.0;
    o.add(
        Prim::Rod {
            len: d.front_cap,
            r: d.r,
        },
        d.can,
        fx,
        0.0,
    );
    o.add(
        Prim::Neg(Box::new(Prim::Rod {
            len: d.front_cap,
            r: d.bore_r,
        })),
        d.can,
        fx,
        0.0,
    );
    // rear cap: steel (it holds the thread), with a female thread or a threaded stub
    let rx = x_rear + d.rear_cap / 2.0;
    o.add(
        Prim::Rod {
            len: d.rear_cap,
            r: d.r,
        },
        Steel,
        rx,
        0.0,
    );
    if rng.chance(0.6) {
        // female thread: the cap is bored out to the thread's diameter, threads as thin rings
        let depth = d.rear_cap * 0.8;
        let cx = x_rear + depth / 2.0;
        o.add(
            Prim::Neg(Box::new(Prim::Rod {
                len: depth,
                r: d.thread_r,
            })),
            Steel,
            cx,
            0.0,
        );
        let pitch = rng.range(0.9, 1.5);
        let mut x = x_rear + pitch;
        while x < x_rear + depth - pitch / 2.0 {
            o.add(
                Prim::Tube {
                    len: pitch * 0.5,
                    r: d.thread_r,
                    ri: d.thread_r - 0.6,
                },
                Steel,
                x,
                0.0,
            );
            x += pitch;
        }
        o.add(
            Prim::Neg(Box::new(Prim::Rod {
                len: d.rear_cap - depth,
                r: d.bore_r,
            })),
            Steel,
            x_rear + depth + (d.rear_cap - depth) / 2.0,
            0.0,
        );
    } else {
        // a threaded stub standing out of the cap (a mount for a muzzle device)
        let stub = rng.range(8.0, 16.0);
        o.add(
            Prim::Neg(Box::new(Prim::Rod {
                len: d.rear_cap,
                r: d.bore_r,
            })),
            Steel,
            rx,
            0.0,
        );
        o.add(
            Prim::Tube {
                len: stub,
                r: d.thread_r,
                ri: d.bore_r,
            },
            Steel,
            x_rear - stub / 2.0,
            0.0,
        );
    }
    // the baffle stack: cones with the apex (the bore) towards the muzzle, each seated in a
    // spacer ring against the wall
    let first = x_rear + d.rear_cap;
    let last = x_front - d.front_cap;
    let pitch = (last - first) / d.baffles as f32;
    // cone depth along x: a 35-50 degree cone, never deeper than the pitch
    let rise = ri - d.bore_r;
    let ring = 2.0f32.min(pitch * 0.3);
    let depth = (rise * rng.range(0.85, 1.4)).min(pitch * 0.95 - ring);
    // a stepped conical shell: radial steps of ~1.5 mm, each a short tube whose thickness
    // normal to the cone is about the baffle's sheet
    let steps = ((rise / 1.5).round() as usize).max(3);
    let dr = rise / steps as f32;
    let step_len = depth / steps as f32;
    for b in 0..d.baffles {
        let x0 = first + b as f32 * pitch;
        // the first (blast) baffle is thicker
        let k = if b == 0 { 1.6 } else { 1.0 };
        o.add(
            Prim::Tube {
                len: ring,
                r: ri,
                ri: ri - d.sheet * 1.2 * k,
            },
            d.baffle,
            x0 + ring / 2.0,
            0.0,
        );
        for s in 0..steps {
            let r_out = ri - s as f32 * dr;
            let sheet = (d.sheet * k).max(dr);
            o.add(
                Prim::Tube {
                    len: step_len.max(d.sheet * k),
                    r: r_out,
                    ri: (r_out - sheet).max(d.bore_r),
                },
                d.baffle,
                x0 + ring + (s as f32 + 0.5) * step_len,
                0.0,
            );
        }
    }
    o
}

/// Seen along its axis: the tube wall edge-on (as thick as the tube is long), the caps and the
/// stacked cones round an open bore.
fn end_on(d: &Dims) -> Object {
    let mut o = Object::new();
    let ri = d.r - d.wall;
    o.add(
        Prim::Ring {
            r: d.r,
            ri,
            t: d.len,
        },
        d.can,
        0.0,
        0.0,
    );
    o.add(
        Prim::Ring {
            r: ri,
            ri: d.bore_r,
            t: d.front_cap,
        },
        d.can,
        0.0,
        0.0,
    );
    o.add(
        Prim::Ring {
            r: ri,
            ri: d.thread_r.max(d.bore_r),
            t: d.rear_cap * 0.3,
        },
        Steel,
        0.0,
        0.0,
    );
    // each cone crossed once, obliquely (about sqrt 2 times its sheet), and its spacer ring
    // edge-on at the wall
    let n = d.baffles as f32;
    o.add(
        Prim::Ring {
            r: ri,
            ri: d.bore_r,
            t: n * d.sheet * std::f32::consts::SQRT_2,
        },
        d.baffle,
        0.0,
        0.0,
    );
    o.add(
        Prim::Ring {
            r: ri,
            ri: ri - d.sheet * 1.2,
            t: n * 2.0,
        },
        d.baffle,
        0.0,
        0.0,
    );
    o
}

/// Builds the silencer variant `name` (None when it is not one).
pub(super) fn build(name: &str, rng: &mut Rng) -> Option<Object> {
    match name {
        "silencer_side" => {
            let d = draw_dims(rng);
            Some(side(&d, rng))
        }
        "silencer_end_on" => Some(end_on(&draw_dims(rng))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::physics::AttenuationMap;
    use crate::shapes::{draw, Placement};

    fn render(o: &Object, w: usize, h: usize) -> AttenuationMap {
        let mut map = AttenuationMap::new(w, h);
        let pl = Placement {
            cx: w as f32 / 2.0,
            cy: h as f32 / 2.0,
            angle: 0.0,
            scale: 1.0,
            mirror: false,
            mm_per_px: 0.5,
        };
        draw(&mut map, o, &pl);
        map
    }

    #[test]
    fn side_view_has_its_size_and_denser_baffle_rings() {
        let mut rng = Rng::new(11);
        for _ in 0..20 {
            let d = draw_dims(&mut rng);
            let o = side(&d, &mut rng);
            let (w, h) = (640usize, 120usize);
            let map = render(&o, w, h);
            let cols: Vec<usize> = (0..w)
                .filter(|&x| (0..h).any(|y| map.high[y * w + x] > 0.0))
                .collect();
            let rows: Vec<usize> = (0..h)
                .filter(|&y| (0..w).any(|x| map.high[y * w + x] > 0.0))
                .collect();
            let length = (cols.last().unwrap() + 1 - cols.first().unwrap()) as f32 * 0.5;
            let across = (rows.last().unwrap() + 1 - rows.first().unwrap()) as f32 * 0.5;
            // the tube, plus a threaded stub of at most 16 mm
            assert!(
                length >= d.len - 1.5 && length <= d.len + 17.5,
                "{length} vs {}",
                d.len
            );
            assert!(
                (across - 2.0 * d.r).abs() <= 1.5,
                "{across} vs {}",
                2.0 * d.r
            );
            assert!((120.0..=250.0).contains(&d.len) && (25.0..=45.0).contains(&(2.0 * d.r)));
            // along a line halfway between axis and wall, between the caps, the baffles make
            // the attenuation rise and fall from one baffle to the next: a dense band each
            let y = h / 2 + ((d.bore_r + (d.r - d.wall)) / 2.0 / 0.5) as usize;
            let px = |mm: f32| (w as f32 / 2.0 + mm / 0.5) as usize;
            let body = px(-d.len / 2.0 + d.rear_cap + 0.5)..px(d.len / 2.0 - d.front_cap - 0.5);
            let line: Vec<f32> = body.map(|x| map.high[y * w + x]).collect();
            let tube_only = line.iter().copied().fold(f32::MAX, f32::min);
            assert!(tube_only > 0.0, "the tube wall is crossed everywhere");
            let dense = line
                .windows(2)
                .filter(|p| p[0] <= tube_only * 1.5 && p[1] > tube_only * 1.5)
                .count();
            assert!(
                dense + 1 >= d.baffles && dense <= d.baffles,
                "{dense} dense bands, {} baffles",
                d.baffles
            );
        }
    }

    #[test]
    fn end_on_view_is_a_dense_ring_round_an_open_bore() {
        let mut rng = Rng::new(4);
        let d = draw_dims(&mut rng);
        let o = end_on(&d);
        let s = 120usize;
        let map = render(&o, s, s);
        let at = |dx: f32| map.high[(s / 2) * s + (s as f32 / 2.0 + dx / 0.5) as usize];
        assert_eq!(at(0.0), 0.0, "the bore is open");
        let wall = at(d.r - d.wall / 2.0);
        let inside = at((d.bore_r + d.r - d.wall) / 2.0);
        assert!(wall > 3.0 * inside && inside > 0.0, "{wall} {inside}");
    }
}
