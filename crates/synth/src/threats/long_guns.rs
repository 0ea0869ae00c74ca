//! Long guns: rifles, a shortened pump shotgun and a submachine gun.

use super::ammunition::{shotgun_shell, Calibre};
use super::parts::magazine_obj;
use crate::physics::Material::{self, Aluminium, Organic, Plastic, Steel};
use crate::rng::Rng;
use crate::shapes::{Object, Prim};

struct LongGun {
    barrel_len: f32,
    barrel_r: f32,
    bore_r: f32,
    receiver: Material,
    receiver_len: f32,
    receiver_h: f32,
    stock: Option<(Material, f32)>,
    mag: Option<(Calibre, usize, Material, f32)>,
    handguard: Option<Material>,
    grip: Material,
}

fn long_gun_obj(g: &LongGun, rng: &mut Rng) -> Object {
    let mut o = Object::new();
    // receiver from x = 0 (rear) to receiver_len; barrel from there
    let rl = g.receiver_len;
    let rh = g.receiver_h;
    let rt = if g.receiver == Steel { 3.0 } else { 8.0 };
    o.add(
        Prim::Slab {
            w: rl,
            h: rh,
            t: rt,
        },
        g.receiver,
        rl / 2.0,
        0.0,
    );
    o.add(
        Prim::Slab {
            w: rl,
            h: 4.0,
            t: 24.0,
        },
        g.receiver,
        rl / 2.0,
        -rh / 2.0 + 2.0,
    );
    o.add(
        Prim::Slab {
            w: rl,
            h: 4.0,
            t: 24.0,
        },
        g.receiver,
        rl / 2.0,
        rh / 2.0 - 2.0,
    );
    // bolt / bolt carrier inside
    o.add(
        Prim::Rod {
            len: rl * 0.45,
            r: 10.0,
        },
        Steel,
        rl * 0.45,
        -2.0,
    );
    // barrel, chamber end, muzzle device
    o.add(
        Prim::Rod {
            len: 40.0,
            r: g.barrel_r + 4.0,
        },
        Steel,
        rl + 20.0,
        -2.0,
    );
    o.add(
        Prim::Neg(Box::new(Prim::Rod {
            len: 40.0,
            r: g.bore_r + 3.0,
        })),
        Steel,
        rl + 20.0,
        -2.0,
    );
    o.add(
        Prim::Tube {
            len: g.barrel_len,
            r: g.barrel_r,
            ri: g.bore_r,
        },
        Steel,
        rl + g.barrel_len / 2.0,
        -2.0,
    );
    o.add(
        Prim::Tube {
            len: 50.0,
            r: g.barrel_r + 2.5,
            ri: g.bore_r + 1.0,
        },
        Steel,
        rl + g.barrel_len - 20.0,
        -2.0,
    );
    if let Some(h) = g.handguard {
        let hl = g.barrel_len * 0.45;
        let ht = if h == Organic {
            30.0
        } else if h == Aluminium {
            4.0
        } else {
            8.0
        };
        o.add(
            Prim::Slab {
                w: hl,
                h: 2.0 * g.barrel_r + 24.0,
                t: ht,
            },
            h,
            rl + 25.0 + hl / 2.0,
            -2.0,
        );
        // gas tube above the barrel
        o.add(
            Prim::Rod {
                len: hl + 30.0,
                r: 3.0,
            },
            Steel,
            rl + 25.0 + hl / 2.0,
            -2.0 - g.barrel_r - 6.0,
        );
    }
    // pistol grip behind the trigger, trigger guard, trigger group
    o.add(
        Prim::Poly {
            pts: vec![
                [rl * 0.28, rh / 2.0],
                [rl * 0.28 + 30.0, rh / 2.0],
                [rl * 0.28 + 5.0, rh / 2.0 + 85.0],
                [rl * 0.28 - 25.0, rh / 2.0 + 80.0],
            ],
            t: 28.0,
        },
        g.grip,
        0.0,
        0.0,
    );
    o.add(
        Prim::Ring {
            r: 18.0,
            ri: 13.0,
            t: 6.0,
        },
        g.receiver,
        rl * 0.28 + 55.0,
        rh / 2.0 + 2.0,
    );
    o.add(
        Prim::Slab {
            w: 40.0,
            h: 14.0,
            t: -6.0,
        },
        g.receiver,
        rl * 0.28 + 55.0,
        rh / 2.0 - 10.0,
    );
    o.add(
        Prim::Poly {
            pts: vec![[0.0, 0.0], [14.0, 0.0], [18.0, 18.0], [8.0, 20.0]],
            t: 7.0,
        },
        Steel,
        rl * 0.28 + 40.0,
        rh / 2.0 - 12.0,
    );
    if let Some((m, len)) = g.stock {
        let t = if m == Organic { 38.0 } else { 14.0 };
        let drop = if m == Organic { 45.0 } else { 20.0 };
        o.add(
            Prim::Poly {
                pts: vec![
                    [0.0, -rh / 2.0],
                    [0.0, rh / 2.0],
                    [-len, rh / 2.0 + drop + 70.0],
                    [-len, -rh / 2.0 + drop * 0.5 - 8.0],
                ],
                t,
            },
            m,
            0.0,
            0.0,
        );
        if m != Organic {
            // buffer tube
            o.add(
                Prim::Tube {
                    len: len * 0.8,
                    r: 15.0,
                    ri: 13.0,
                },
                Aluminium,
                -len * 0.4,
                -2.0,
            );
        } else {
            o.add(
                Prim::Slab {
                    w: 8.0,
                    h: 90.0,
                    t: 40.0,
                },
                Steel,
                -len + 3.0,
                drop * 0.3 + 30.0,
            );
        }
    }
    if let Some((cal, n, m, curve)) = g.mag {
        let load = if rng.chance(0.85) { n } else { rng.below(n) };
        let mag = magazine_obj(cal, load, m, curve);
        let mag_len = cal.dims().case_r * 1.15 * n as f32 + 20.0;
        o.merge(&mag, rl * 0.62, rh / 2.0 + mag_len / 2.0 - 20.0, -0.1);
    }
    // centre the object along x
    let shift = -(rl + g.barrel_len - g.stock.map_or(0.0, |s| s.1)) / 2.0;
    let mut c = Object::new();
    c.merge(&o, shift, 0.0, 0.0);
    c
}

/// Builds the long-gun variant `name` (None when it is not one).
pub(super) fn build(name: &str, rng: &mut Rng) -> Option<Object> {
    let object = match name {
        // AR-15 carbine: 406 mm barrel, ~840 mm with collapsed stock
        "rifle_ar15_556" => long_gun_obj(
            &LongGun {
                barrel_len: 406.0,
                barrel_r: 9.0,
                bore_r: 2.85,
                receiver: Aluminium,
                receiver_len: 190.0,
                receiver_h: 50.0,
                stock: Some((Plastic, 230.0)),
                mag: Some((Calibre::Nato556, 30, Aluminium, 0.25)),
                handguard: Some(Plastic),
                grip: Plastic,
            },
            rng,
        ),
        // AK pattern: 415 mm barrel, 880 mm, wooden furniture, steel curved magazine
        "rifle_ak_762x39" => long_gun_obj(
            &LongGun {
                barrel_len: 415.0,
                barrel_r: 9.5,
                bore_r: 3.95,
                receiver: Steel,
                receiver_len: 240.0,
                receiver_h: 50.0,
                stock: Some((Organic, 230.0)),
                mag: Some((Calibre::Sov762x39, 30, Steel, 0.6)),
                handguard: Some(Organic),
                grip: Plastic,
            },
            rng,
        ),
        // pump shotgun with a shortened barrel: 360 mm barrel, pistol grip, ~620 mm
        "shotgun_pump_shortened" => {
            let mut o = long_gun_obj(
                &LongGun {
                    barrel_len: 360.0,
                    barrel_r: 11.0,
                    bore_r: 9.3,
                    receiver: Aluminium,
                    receiver_len: 200.0,
                    receiver_h: 62.0,
                    stock: None,
                    mag: None,
                    handguard: None,
                    grip: Plastic,
                },
                rng,
            );
            // magazine tube under the barrel with shells, polymer forend
            let shift = -(200.0 + 360.0) / 2.0;
            o.add(
                Prim::Tube {
                    len: 300.0,
                    r: 11.5,
                    ri: 10.8,
                },
                Steel,
                shift + 200.0 + 150.0,
                22.0,
            );
            o.add(
                Prim::Slab {
                    w: 160.0,
                    h: 44.0,
                    t: 10.0,
                },
                Plastic,
                shift + 200.0 + 120.0,
                16.0,
            );
            let n = rng.below(5);
            for i in 0..n {
                let shell = shotgun_shell(rng);
                o.merge(&shell, shift + 200.0 + 40.0 + 71.0 * i as f32, 22.0, 0.0);
            }
            o
        }
        // Uzi-like: 470 mm with folded stock, magazine in the grip
        "smg_9mm" => {
            let mut o = Object::new();
            o.add(
                Prim::Slab {
                    w: 300.0,
                    h: 52.0,
                    t: 3.0,
                },
                Steel,
                0.0,
                0.0,
            );
            o.add(
                Prim::Slab {
                    w: 300.0,
                    h: 5.0,
                    t: 40.0,
                },
                Steel,
                0.0,
                -24.0,
            );
            o.add(
                Prim::Rod {
                    len: 140.0,
                    r: 14.0,
                },
                Steel,
                20.0,
                0.0,
            );
            o.add(
                Prim::Tube {
                    len: 260.0,
                    r: 7.5,
                    ri: 4.5,
                },
                Steel,
                110.0,
                2.0,
            );
            o.add(
                Prim::Slab {
                    w: 260.0,
                    h: 6.0,
                    t: 6.0,
                },
                Steel,
                -30.0,
                30.0,
            );
            o.add(
                Prim::Slab {
                    w: 200.0,
                    h: 5.0,
                    t: 6.0,
                },
                Steel,
                -40.0,
                -10.0,
            );
            o.add(
                Prim::Poly {
                    pts: vec![[-20.0, 26.0], [30.0, 26.0], [28.0, 125.0], [-22.0, 125.0]],
                    t: 34.0,
                },
                Plastic,
                0.0,
                0.0,
            );
            o.add(
                Prim::Ring {
                    r: 22.0,
                    ri: 17.0,
                    t: 6.0,
                },
                Steel,
                60.0,
                38.0,
            );
            o.add(
                Prim::Slab {
                    w: 50.0,
                    h: 22.0,
                    t: -6.0,
                },
                Steel,
                60.0,
                22.0,
            );
            let n = if rng.chance(0.8) { 25 } else { rng.below(25) };
            let mag = magazine_obj(Calibre::Nine19, n, Steel, 0.0);
            o.merge(&mag, 4.0, 26.0 + 80.0, 0.0);
            o
        }
        _ => return None,
    };
    Some(object)
}
