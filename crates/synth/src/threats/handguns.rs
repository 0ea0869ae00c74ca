//! Handguns: semi-automatic pistols and revolvers.

use super::ammunition::{cartridge, Calibre};
use super::parts::magazine_obj;
use crate::physics::Material::{self, Aluminium, Organic, Plastic, Steel};
use crate::rng::Rng;
use crate::shapes::{Object, Prim};

struct PistolSpec {
    len: f32,
    height: f32,
    slide_h: f32,
    slide_t: f32,
    barrel_len: f32,
    frame: Material,
    grip_w: f32,
    slant: f32,
    cal: Calibre,
    cap: usize,
    hammer: bool,
}

fn pistol_obj(p: &PistolSpec, rng: &mut Rng) -> Object {
    let mut o = Object::new();
    let top = -p.height / 2.0;
    let rear = -p.len / 2.0;
    let ys = top + p.slide_h / 2.0;
    // slide: two side walls across the beam, the roof edge-on, the solid breech block
    o.add(
        Prim::Slab {
            w: p.len,
            h: p.slide_h,
            t: 8.0,
        },
        Steel,
        0.0,
        ys,
    );
    o.add(
        Prim::Slab {
            w: p.len * 0.96,
            h: 3.0,
            t: p.slide_t - 8.0,
        },
        Steel,
        0.0,
        top + 1.5,
    );
    o.add(
        Prim::Slab {
            w: 22.0,
            h: p.slide_h,
            t: p.slide_t - 8.0,
        },
        Steel,
        rear + 11.0,
        ys,
    );
    // ejection port: a window in the right wall
    o.add(
        Prim::Slab {
            w: 28.0,
            h: p.slide_h * 0.45,
            t: -4.0,
        },
        Steel,
        rear + p.len * 0.42,
        top + p.slide_h * 0.3,
    );
    // sights
    o.add(
        Prim::Slab {
            w: 6.0,
            h: 5.0,
            t: 4.0,
        },
        Steel,
        p.len / 2.0 - 8.0,
        top - 2.0,
    );
    o.add(
        Prim::Slab {
            w: 8.0,
            h: 5.0,
            t: 8.0,
        },
        Steel,
        rear + 10.0,
        top - 2.0,
    );
    // barrel with chamber, recoil spring guide
    let bx = p.len / 2.0 - p.barrel_len / 2.0 - 1.0;
    let d = p.cal.dims();
    o.add(
        Prim::Tube {
            len: p.barrel_len,
            r: d.case_r + 2.0,
            ri: d.bullet_r,
        },
        Steel,
        bx,
        ys + 1.0,
    );
    o.add(
        Prim::Slab {
            w: 24.0,
            h: 2.0 * d.case_r + 6.0,
            t: 10.0,
        },
        Steel,
        bx - p.barrel_len / 2.0 + 12.0,
        ys + 1.0,
    );
    o.add(
        Prim::Rod {
            len: p.barrel_len * 0.7,
            r: 2.0,
        },
        Steel,
        bx + p.barrel_len * 0.1,
        ys + p.slide_h / 2.0 - 2.0,
    );
    // frame: dust cover under the slide, grip
    let ft = if p.frame == Plastic { 12.0 } else { 8.0 };
    let y0 = top + p.slide_h;
    o.add(
        Prim::Slab {
            w: p.len * 0.84,
            h: 14.0,
            t: ft,
        },
        p.frame,
        p.len * 0.06,
        y0 + 7.0,
    );
    let back_top = rear + 8.0;
    let front_top = back_top + p.grip_w;
    let bottom = p.height / 2.0;
    let dx = (bottom - y0 - 8.0) * p.slant.tan();
    o.add(
        Prim::Poly {
            pts: vec![
                [back_top, y0 + 4.0],
                [front_top, y0 + 4.0],
                [front_top - dx, bottom],
                [back_top - dx - 3.0, bottom],
            ],
            t: ft + 14.0,
        },
        p.frame,
        0.0,
        0.0,
    );
    if p.frame == Steel || p.frame == Aluminium {
        // grip panels (wood or rubber)
        o.add(
            Prim::Poly {
                pts: vec![
                    [back_top + 3.0, y0 + 14.0],
                    [front_top - 3.0, y0 + 14.0],
                    [front_top - dx - 3.0, bottom - 8.0],
                    [back_top - dx + 1.0, bottom - 8.0],
                ],
                t: 10.0,
            },
            Organic,
            0.0,
            0.0,
        );
    }
    // steel rails / locking block inserts in a polymer frame
    if p.frame == Plastic {
        o.add(
            Prim::Slab {
                w: 18.0,
                h: 4.0,
                t: 10.0,
            },
            Steel,
            rear + 20.0,
            y0 + 3.0,
        );
        o.add(
            Prim::Slab {
                w: 14.0,
                h: 8.0,
                t: 14.0,
            },
            Steel,
            front_top + 12.0,
            y0 + 5.0,
        );
    }
    // trigger guard, trigger, trigger bar
    let gx = front_top + 17.0;
    o.add(
        Prim::Ring {
            r: 17.0,
            ri: 12.5,
            t: 9.0,
        },
        p.frame,
        gx,
        y0 + 10.0,
    );
    o.add(
        Prim::Slab {
            w: 36.0,
            h: 12.0,
            t: -9.0,
        },
        p.frame,
        gx,
        y0 - 2.0,
    );
    o.add_rot(
        Prim::Slab {
            w: 4.0,
            h: 15.0,
            t: 6.0,
        },
        Steel,
        gx - 5.0,
        y0 + 12.0,
        0.25,
    );
    o.add(
        Prim::Slab {
            w: 40.0,
            h: 2.0,
            t: 2.0,
        },
        Steel,
        front_top - 6.0,
        y0 + 8.0,
    );
    if p.hammer {
        o.add(
            Prim::Poly {
                pts: vec![[0.0, 0.0], [-12.0, -12.0], [-16.0, -9.0], [-6.0, 4.0]],
                t: 7.0,
            },
            Steel,
            rear + 6.0,
            y0 + 2.0,
        );
    }
    // magazine along the grip, loaded or not
    let n = if rng.chance(0.8) {
        p.cap
    } else {
        rng.below(p.cap)
    };
    let mag = magazine_obj(p.cal, n, Steel, 0.0);
    let mag_len = p.cal.dims().case_r * 1.15 * p.cap as f32 + 20.0;
    let gy = (y0 + 4.0 + bottom) / 2.0;
    let mx = (back_top + front_top) / 2.0 - dx / 2.0;
    o.merge(
        &mag,
        mx,
        gy + (mag_len - (bottom - y0)) / 2.0 - 4.0,
        p.slant,
    );
    o
}

fn revolver_obj(barrel_len: f32, cal: Calibre, rng: &mut Rng) -> Object {
    let mut o = Object::new();
    let cyl_r = 18.5;
    let cyl_len = cal.dims().case_len + 10.0;
    // cylinder from the side: solid steel round the chambers; loaded chambers show case heads
    o.add(
        Prim::Rod {
            len: cyl_len,
            r: cyl_r,
        },
        Steel,
        0.0,
        0.0,
    );
    // six chambers on an 11.5 mm circle project onto y = 0 (twice) and y = ±10 (twice each)
    for y in [-10.0, -10.0, 0.0, 0.0, 10.0, 10.0] {
        o.add(
            Prim::Neg(Box::new(Prim::Rod {
                len: cyl_len - 4.0,
                r: 4.8,
            })),
            Steel,
            2.0,
            y,
        );
    }
    if rng.chance(0.7) {
        let round = cartridge(cal);
        for y in [-10.0, 10.0] {
            o.merge(&round, -cyl_len / 2.0 + cal.oal() / 2.0 - 1.0, y, 0.0);
        }
    }
    // frame: top strap, bottom, recoil shield, forcing cone
    o.add(
        Prim::Slab {
            w: cyl_len + 30.0,
            h: 8.0,
            t: 14.0,
        },
        Steel,
        3.0,
        -cyl_r - 4.0,
    );
    o.add(
        Prim::Slab {
            w: cyl_len + 24.0,
            h: 12.0,
            t: 16.0,
        },
        Steel,
        0.0,
        cyl_r + 6.0,
    );
    o.add(
        Prim::Slab {
            w: 12.0,
            h: 2.0 * cyl_r + 16.0,
            t: 22.0,
        },
        Steel,
        -cyl_len / 2.0 - 6.0,
        0.0,
    );
    o.add(
        Prim::Slab {
            w: 16.0,
            h: 2.0 * cyl_r + 10.0,
            t: 16.0,
        },
        Steel,
        cyl_len / 2.0 + 8.0,
        -3.0,
    );
    // barrel with ejector-rod shroud
    let by = -cyl_r + 8.0;
    o.add(
        Prim::Tube {
            len: barrel_len,
            r: 8.5,
            ri: 4.5,
        },
        Steel,
        cyl_len / 2.0 + barrel_len / 2.0,
        by,
    );
    o.add(
        Prim::Slab {
            w: barrel_len,
            h: 4.0,
            t: 8.0,
        },
        Steel,
        cyl_len / 2.0 + barrel_len / 2.0,
        by - 9.0,
    );
    o.add(
        Prim::Rod {
            len: barrel_len * 0.8,
            r: 4.0,
        },
        Steel,
        cyl_len / 2.0 + barrel_len * 0.4,
        by + 13.0,
    );
    // hammer, trigger guard, trigger
    o.add(
        Prim::Poly {
            pts: vec![[0.0, 0.0], [-10.0, -18.0], [-20.0, -16.0], [-8.0, 6.0]],
            t: 8.0,
        },
        Steel,
        -cyl_len / 2.0 - 8.0,
        -cyl_r - 2.0,
    );
    let gx = -4.0;
    o.add(
        Prim::Ring {
            r: 16.0,
            ri: 11.5,
            t: 8.0,
        },
        Steel,
        gx,
        cyl_r + 16.0,
    );
    o.add(
        Prim::Slab {
            w: 34.0,
            h: 14.0,
            t: -8.0,
        },
        Steel,
        gx,
        cyl_r + 5.0,
    );
    o.add_rot(
        Prim::Slab {
            w: 5.0,
            h: 16.0,
            t: 7.0,
        },
        Steel,
        gx - 3.0,
        cyl_r + 17.0,
        0.3,
    );
    // grip frame (steel) and grips (wood or rubber), slanting back
    let gy0 = cyl_r + 10.0;
    let gb = gy0 + 85.0;
    o.add(
        Prim::Poly {
            pts: vec![
                [-cyl_len / 2.0 - 14.0, gy0],
                [-cyl_len / 2.0 + 10.0, gy0],
                [-cyl_len / 2.0 - 12.0, gb],
                [-cyl_len / 2.0 - 30.0, gb - 4.0],
            ],
            t: 10.0,
        },
        Steel,
        0.0,
        0.0,
    );
    o.add(
        Prim::Poly {
            pts: vec![
                [-cyl_len / 2.0 - 18.0, gy0 - 4.0],
                [-cyl_len / 2.0 + 14.0, gy0 + 2.0],
                [-cyl_len / 2.0 - 8.0, gb + 6.0],
                [-cyl_len / 2.0 - 40.0, gb],
                [-cyl_len / 2.0 - 34.0, gy0 + 20.0],
            ],
            t: 30.0,
        },
        Organic,
        0.0,
        0.0,
    );
    o
}

/// Builds the handgun variant `name` (None when it is not one).
pub(super) fn build(name: &str, rng: &mut Rng) -> Option<Object> {
    let p = |len, height, slide_h, barrel_len, frame, grip_w, slant: f32, cal, cap, hammer| {
        PistolSpec {
            len,
            height,
            slide_h,
            slide_t: 25.0,
            barrel_len,
            frame,
            grip_w,
            slant,
            cal,
            cap,
            hammer,
        }
    };
    let object = match name {
        // Glock 17-like: 186 x 138 mm, polymer frame, 114 mm barrel
        "pistol_polymer_9mm" => pistol_obj(
            &p(
                186.0,
                138.0,
                28.0,
                114.0,
                Plastic,
                50.0,
                0.36,
                Calibre::Nine19,
                17,
                false,
            ),
            rng,
        ),
        // Glock 19-like: 174 x 128 mm
        "pistol_compact_9mm" => pistol_obj(
            &p(
                174.0,
                128.0,
                28.0,
                102.0,
                Plastic,
                48.0,
                0.36,
                Calibre::Nine19,
                15,
                false,
            ),
            rng,
        ),
        // M1911-like: 216 x 140 mm, steel frame, single stack .45 ACP, 127 mm barrel
        "pistol_steel_45acp" => pistol_obj(
            &p(
                216.0,
                140.0,
                26.0,
                127.0,
                Steel,
                44.0,
                0.3,
                Calibre::Acp45,
                7,
                true,
            ),
            rng,
        ),
        // Beretta 92-like: 217 x 137 mm, aluminium-alloy frame
        "pistol_alloy_9mm" => pistol_obj(
            &p(
                217.0,
                137.0,
                30.0,
                125.0,
                Aluminium,
                52.0,
                0.3,
                Calibre::Nine19,
                15,
                true,
            ),
            rng,
        ),
        // small .22 pocket pistol: 125 x 90 mm
        "pistol_pocket_22" => pistol_obj(
            &p(
                125.0,
                90.0,
                20.0,
                70.0,
                Steel,
                36.0,
                0.25,
                Calibre::Lr22,
                8,
                true,
            ),
            rng,
        ),
        "revolver_snub_38" => revolver_obj(52.0, Calibre::Spl38, rng),
        "revolver_4in_38" => revolver_obj(102.0, Calibre::Spl38, rng),
        "revolver_6in_38" => revolver_obj(152.0, Calibre::Spl38, rng),
        _ => return None,
    };
    Some(object)
}
