//! Procedural threats: firearms, their parts, and ammunition, as 2-D footprints with thickness
//! along the beam, built from published nominal dimensions (C.I.P./SAAMI cartridge drawings,
//! manufacturers' overall length and height). Each object is seen from the side (lying flat on
//! the belt), barrel along +x, grip down (+y). They are simplified silhouettes, not CAD models.

use std::f32::consts::PI;

use armscan_core::taxonomy::{known_category, Category};

use crate::physics::Material::{self, Aluminium, Brass, Copper, Lead, Organic, Paper, Plastic, Steel};
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

struct Dims {
    case_len: f32,
    case_r: f32,
    neck_r: f32,
    neck_len: f32,
    bullet_r: f32,
    bullet_len: f32,
    nose: f32,
    oal: f32,
    jacketed: bool,
}

impl Calibre {
    pub const ALL: [Calibre; 7] = [Calibre::Nine19, Calibre::Acp45, Calibre::Spl38, Calibre::Lr22, Calibre::Nato556, Calibre::Sov762x39, Calibre::Nato762x51];

    fn dims(self) -> Dims {
        let d = |case_len, case_r, neck_r, neck_len, bullet_r, bullet_len, nose, oal, jacketed| Dims {
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
    o.add(Prim::Rod { len: head, r: d.case_r }, case_mat, base + head / 2.0, 0.0);
    let body = d.case_len - head - d.neck_len;
    let wall = if cal == Calibre::Lr22 { 0.3 } else { 0.45 };
    o.add(Prim::Tube { len: body, r: d.case_r, ri: d.case_r - wall }, case_mat, base + head + body / 2.0, 0.0);
    if d.neck_len > 0.0 {
        o.add(Prim::Tube { len: d.neck_len, r: d.neck_r, ri: d.neck_r - 0.35 }, case_mat, base + d.case_len - d.neck_len / 2.0, 0.0);
    }
    // propellant (nitrocellulose, taken as organic) behind the bullet
    let bullet_base = tip - d.bullet_len;
    let powder_len = (bullet_base - base - head).max(0.5);
    o.add(Prim::Rod { len: powder_len, r: (d.case_r - wall) * 0.9 }, Organic, base + head + powder_len / 2.0, 0.0);
    let cyl = d.bullet_len - d.nose;
    let jacket = if d.jacketed { 0.35 } else { 0.0 };
    o.add(Prim::Rod { len: cyl, r: d.bullet_r - jacket }, Lead, bullet_base + cyl / 2.0, 0.0);
    if d.jacketed {
        o.add(Prim::Tube { len: cyl, r: d.bullet_r, ri: d.bullet_r - jacket }, Copper, bullet_base + cyl / 2.0, 0.0);
    }
    o.add(Prim::Ogive { len: d.nose, r: d.bullet_r }, if d.jacketed { Copper } else { Lead }, tip - d.nose, 0.0);
    if d.jacketed {
        o.add(Prim::Ogive { len: d.nose - 1.0, r: d.bullet_r - jacket }, Lead, tip - d.nose, 0.0);
    }
    o
}

/// The cartridge standing on its base, seen end-on (in a box): concentric discs.
fn cartridge_end_on(cal: Calibre) -> Object {
    let d = cal.dims();
    let mut o = Object::new();
    let case_mat = if cal == Calibre::Lr22 { Copper } else { Brass };
    o.add(Prim::Ring { r: d.case_r, ri: d.case_r - 0.45, t: d.case_len - 2.5 }, case_mat, 0.0, 0.0);
    o.add(Prim::Disc { rx: d.case_r, ry: d.case_r, t: 2.5 }, case_mat, 0.0, 0.0);
    o.add(Prim::Disc { rx: d.bullet_r, ry: d.bullet_r, t: d.bullet_len * 0.8 }, Lead, 0.0, 0.0);
    o.add(Prim::Disc { rx: d.case_r - 0.5, ry: d.case_r - 0.5, t: (d.case_len - d.bullet_len * 0.4).max(1.0) }, Organic, 0.0, 0.0);
    o
}

/// A 12-gauge shell on its side (70 mm): polyethylene hull, brass head, wad, and lead shot
/// (birdshot, 00 buckshot or a slug).
#[must_use]
pub fn shotgun_shell(rng: &mut Rng) -> Object {
    let mut o = Object::new();
    let (len, r) = (70.0, 10.25);
    o.add(Prim::Tube { len, r, ri: r - 0.6 }, Plastic, 0.0, 0.0);
    o.add(Prim::Tube { len: 16.0, r: r + 0.2, ri: r - 0.3 }, Brass, -len / 2.0 + 8.0, 0.0);
    o.add(Prim::Rod { len: 1.5, r: r + 0.5 }, Brass, -len / 2.0 + 0.75, 0.0);
    o.add(Prim::Rod { len: 10.0, r: r - 0.8 }, Organic, -len / 2.0 + 9.0, 0.0);
    o.add(Prim::Rod { len: 12.0, r: r - 0.8 }, Plastic, -len / 2.0 + 20.0, 0.0);
    let (x0, x1) = (-len / 2.0 + 27.0, len / 2.0 - 6.0);
    match rng.below(3) {
        0 => {
            // 00 buckshot: 8.4 mm pellets, three layers of three
            for i in 0..3 {
                for j in 0..3 {
                    let x = x0 + 4.5 + i as f32 * 8.6;
                    let y = (j as f32 - 1.0) * 5.5;
                    o.add(Prim::Dome { rx: 4.2, ry: 4.2, t: 8.4 }, Lead, x, y);
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
                    o.add(Prim::Dome { rx: 1.25, ry: 1.25, t: depth }, Lead, x, y);
                    y += 2.5;
                }
                x += 2.5;
            }
        }
        _ => {
            o.add(Prim::Rod { len: 18.0, r: r - 1.2 }, Lead, x0 + 10.0, 0.0);
        }
    }
    o
}

/// A box magazine with `n` cartridges; axis of the magazine along y (feed lips at -y), the
/// cartridges pointing +x. `curve` bends it (rifle magazines), radians over its length.
fn magazine_obj(cal: Calibre, n: usize, wall: Material, curve: f32) -> Object {
    let d = cal.dims();
    let pitch = d.case_r * 1.15;
    let cap = n.max(1);
    let len = pitch * cap as f32 + 20.0;
    let w = d.oal + 5.0;
    let mut o = Object::new();
    let segs = if curve.abs() > 0.01 { 6 } else { 1 };
    let seg_len = len / segs as f32;
    let wall_t = if wall == Steel {
        1.6
    } else if wall == Aluminium {
        2.4
    } else {
        5.0
    };
    // centreline along an arc: angle a(s) = curve * s/len
    let point = |s: f32| -> ([f32; 2], f32) {
        if segs == 1 {
            return ([0.0, s - len / 2.0], 0.0);
        }
        let a = curve * (s / len - 0.5);
        let rad = len / curve;
        ([rad * (1.0 - a.cos()) - rad * (1.0 - (curve * 0.5).cos()) * 0.5, rad * a.sin()], a)
    };
    for k in 0..segs {
        let s = (k as f32 + 0.5) * seg_len;
        let ([x, y], a) = point(s);
        o.add_rot(Prim::Slab { w, h: seg_len + 0.5, t: wall_t }, wall, x, y, -a);
        // front and back walls seen edge-on
        o.add_rot(Prim::Slab { w: 1.2, h: seg_len + 0.5, t: 2.0 * d.case_r + 2.0 }, wall, x + (w / 2.0) * a.cos(), y - (w / 2.0) * a.sin(), -a);
        o.add_rot(Prim::Slab { w: 1.2, h: seg_len + 0.5, t: 2.0 * d.case_r + 2.0 }, wall, x - (w / 2.0) * a.cos(), y + (w / 2.0) * a.sin(), -a);
    }
    let ([bx, by], ba) = point(len - 3.0);
    o.add_rot(Prim::Slab { w: w + 4.0, h: 6.0, t: 2.0 * d.case_r + 4.0 }, Plastic, bx, by, -ba);
    let round = cartridge(cal);
    for i in 0..n {
        let s = 8.0 + (i as f32 + 0.5) * pitch;
        let ([x, y], a) = point(s);
        let stagger = if i % 2 == 0 { -1.0 } else { 1.0 };
        o.merge(&round, x + stagger * 0.8, y, -a);
    }
    // follower and spring (coils seen from the side as a zig-zag of wire)
    let s_f = 8.0 + (n as f32 + 0.4) * pitch;
    let ([fx, fy], fa) = point(s_f.min(len - 8.0));
    o.add_rot(Prim::Slab { w: w - 4.0, h: 4.0, t: 2.0 * d.case_r }, Plastic, fx, fy, -fa);
    let mut s = s_f + 4.0;
    let mut flip = 1.0;
    while s < len - 8.0 {
        let ([x, y], a) = point(s);
        o.add_rot(Prim::Rod { len: w - 6.0, r: 0.6 }, Steel, x, y, -a + flip * 0.12);
        flip = -flip;
        s += 5.0;
    }
    o
}

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
    o.add(Prim::Slab { w: p.len, h: p.slide_h, t: 8.0 }, Steel, 0.0, ys);
    o.add(Prim::Slab { w: p.len * 0.96, h: 3.0, t: p.slide_t - 8.0 }, Steel, 0.0, top + 1.5);
    o.add(Prim::Slab { w: 22.0, h: p.slide_h, t: p.slide_t - 8.0 }, Steel, rear + 11.0, ys);
    // ejection port: a window in the right wall
    o.add(Prim::Slab { w: 28.0, h: p.slide_h * 0.45, t: -4.0 }, Steel, rear + p.len * 0.42, top + p.slide_h * 0.3);
    // sights
    o.add(Prim::Slab { w: 6.0, h: 5.0, t: 4.0 }, Steel, p.len / 2.0 - 8.0, top - 2.0);
    o.add(Prim::Slab { w: 8.0, h: 5.0, t: 8.0 }, Steel, rear + 10.0, top - 2.0);
    // barrel with chamber, recoil spring guide
    let bx = p.len / 2.0 - p.barrel_len / 2.0 - 1.0;
    let d = p.cal.dims();
    o.add(Prim::Tube { len: p.barrel_len, r: d.case_r + 2.0, ri: d.bullet_r }, Steel, bx, ys + 1.0);
    o.add(Prim::Slab { w: 24.0, h: 2.0 * d.case_r + 6.0, t: 10.0 }, Steel, bx - p.barrel_len / 2.0 + 12.0, ys + 1.0);
    o.add(Prim::Rod { len: p.barrel_len * 0.7, r: 2.0 }, Steel, bx + p.barrel_len * 0.1, ys + p.slide_h / 2.0 - 2.0);
    // frame: dust cover under the slide, grip
    let ft = if p.frame == Plastic { 12.0 } else { 8.0 };
    let y0 = top + p.slide_h;
    o.add(Prim::Slab { w: p.len * 0.84, h: 14.0, t: ft }, p.frame, p.len * 0.06, y0 + 7.0);
    let back_top = rear + 8.0;
    let front_top = back_top + p.grip_w;
    let bottom = p.height / 2.0;
    let dx = (bottom - y0 - 8.0) * p.slant.tan();
    o.add(
        Prim::Poly { pts: vec![[back_top, y0 + 4.0], [front_top, y0 + 4.0], [front_top - dx, bottom], [back_top - dx - 3.0, bottom]], t: ft + 14.0 },
        p.frame,
        0.0,
        0.0,
    );
    if p.frame == Steel || p.frame == Aluminium {
        // grip panels (wood or rubber)
        o.add(
            Prim::Poly {
                pts: vec![[back_top + 3.0, y0 + 14.0], [front_top - 3.0, y0 + 14.0], [front_top - dx - 3.0, bottom - 8.0], [back_top - dx + 1.0, bottom - 8.0]],
                t: 10.0,
            },
            Organic,
            0.0,
            0.0,
        );
    }
    // steel rails / locking block inserts in a polymer frame
    if p.frame == Plastic {
        o.add(Prim::Slab { w: 18.0, h: 4.0, t: 10.0 }, Steel, rear + 20.0, y0 + 3.0);
        o.add(Prim::Slab { w: 14.0, h: 8.0, t: 14.0 }, Steel, front_top + 12.0, y0 + 5.0);
    }
    // trigger guard, trigger, trigger bar
    let gx = front_top + 17.0;
    o.add(Prim::Ring { r: 17.0, ri: 12.5, t: 9.0 }, p.frame, gx, y0 + 10.0);
    o.add(Prim::Slab { w: 36.0, h: 12.0, t: -9.0 }, p.frame, gx, y0 - 2.0);
    o.add_rot(Prim::Slab { w: 4.0, h: 15.0, t: 6.0 }, Steel, gx - 5.0, y0 + 12.0, 0.25);
    o.add(Prim::Slab { w: 40.0, h: 2.0, t: 2.0 }, Steel, front_top - 6.0, y0 + 8.0);
    if p.hammer {
        o.add(Prim::Poly { pts: vec![[0.0, 0.0], [-12.0, -12.0], [-16.0, -9.0], [-6.0, 4.0]], t: 7.0 }, Steel, rear + 6.0, y0 + 2.0);
    }
    // magazine along the grip, loaded or not
    let n = if rng.chance(0.8) { p.cap } else { rng.below(p.cap) };
    let mag = magazine_obj(p.cal, n, Steel, 0.0);
    let mag_len = p.cal.dims().case_r * 1.15 * p.cap as f32 + 20.0;
    let gy = (y0 + 4.0 + bottom) / 2.0;
    let mx = (back_top + front_top) / 2.0 - dx / 2.0;
    o.merge(&mag, mx, gy + (mag_len - (bottom - y0)) / 2.0 - 4.0, p.slant);
    o
}

fn revolver_obj(barrel_len: f32, cal: Calibre, rng: &mut Rng) -> Object {
    let mut o = Object::new();
    let cyl_r = 18.5;
    let cyl_len = cal.dims().case_len + 10.0;
    // cylinder from the side: solid steel round the chambers; loaded chambers show case heads
    o.add(Prim::Rod { len: cyl_len, r: cyl_r }, Steel, 0.0, 0.0);
    // six chambers on an 11.5 mm circle project onto y = 0 (twice) and y = ±10 (twice each)
    for y in [-10.0, -10.0, 0.0, 0.0, 10.0, 10.0] {
        o.add(Prim::Neg(Box::new(Prim::Rod { len: cyl_len - 4.0, r: 4.8 })), Steel, 2.0, y);
    }
    if rng.chance(0.7) {
        let round = cartridge(cal);
        for y in [-10.0, 10.0] {
            o.merge(&round, -cyl_len / 2.0 + cal.oal() / 2.0 - 1.0, y, 0.0);
        }
    }
    // frame: top strap, bottom, recoil shield, forcing cone
    o.add(Prim::Slab { w: cyl_len + 30.0, h: 8.0, t: 14.0 }, Steel, 3.0, -cyl_r - 4.0);
    o.add(Prim::Slab { w: cyl_len + 24.0, h: 12.0, t: 16.0 }, Steel, 0.0, cyl_r + 6.0);
    o.add(Prim::Slab { w: 12.0, h: 2.0 * cyl_r + 16.0, t: 22.0 }, Steel, -cyl_len / 2.0 - 6.0, 0.0);
    o.add(Prim::Slab { w: 16.0, h: 2.0 * cyl_r + 10.0, t: 16.0 }, Steel, cyl_len / 2.0 + 8.0, -3.0);
    // barrel with ejector-rod shroud
    let by = -cyl_r + 8.0;
    o.add(Prim::Tube { len: barrel_len, r: 8.5, ri: 4.5 }, Steel, cyl_len / 2.0 + barrel_len / 2.0, by);
    o.add(Prim::Slab { w: barrel_len, h: 4.0, t: 8.0 }, Steel, cyl_len / 2.0 + barrel_len / 2.0, by - 9.0);
    o.add(Prim::Rod { len: barrel_len * 0.8, r: 4.0 }, Steel, cyl_len / 2.0 + barrel_len * 0.4, by + 13.0);
    // hammer, trigger guard, trigger
    o.add(Prim::Poly { pts: vec![[0.0, 0.0], [-10.0, -18.0], [-20.0, -16.0], [-8.0, 6.0]], t: 8.0 }, Steel, -cyl_len / 2.0 - 8.0, -cyl_r - 2.0);
    let gx = -4.0;
    o.add(Prim::Ring { r: 16.0, ri: 11.5, t: 8.0 }, Steel, gx, cyl_r + 16.0);
    o.add(Prim::Slab { w: 34.0, h: 14.0, t: -8.0 }, Steel, gx, cyl_r + 5.0);
    o.add_rot(Prim::Slab { w: 5.0, h: 16.0, t: 7.0 }, Steel, gx - 3.0, cyl_r + 17.0, 0.3);
    // grip frame (steel) and grips (wood or rubber), slanting back
    let gy0 = cyl_r + 10.0;
    let gb = gy0 + 85.0;
    o.add(
        Prim::Poly {
            pts: vec![[-cyl_len / 2.0 - 14.0, gy0], [-cyl_len / 2.0 + 10.0, gy0], [-cyl_len / 2.0 - 12.0, gb], [-cyl_len / 2.0 - 30.0, gb - 4.0]],
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
    o.add(Prim::Slab { w: rl, h: rh, t: rt }, g.receiver, rl / 2.0, 0.0);
    o.add(Prim::Slab { w: rl, h: 4.0, t: 24.0 }, g.receiver, rl / 2.0, -rh / 2.0 + 2.0);
    o.add(Prim::Slab { w: rl, h: 4.0, t: 24.0 }, g.receiver, rl / 2.0, rh / 2.0 - 2.0);
    // bolt / bolt carrier inside
    o.add(Prim::Rod { len: rl * 0.45, r: 10.0 }, Steel, rl * 0.45, -2.0);
    // barrel, chamber end, muzzle device
    o.add(Prim::Rod { len: 40.0, r: g.barrel_r + 4.0 }, Steel, rl + 20.0, -2.0);
    o.add(Prim::Neg(Box::new(Prim::Rod { len: 40.0, r: g.bore_r + 3.0 })), Steel, rl + 20.0, -2.0);
    o.add(Prim::Tube { len: g.barrel_len, r: g.barrel_r, ri: g.bore_r }, Steel, rl + g.barrel_len / 2.0, -2.0);
    o.add(Prim::Tube { len: 50.0, r: g.barrel_r + 2.5, ri: g.bore_r + 1.0 }, Steel, rl + g.barrel_len - 20.0, -2.0);
    if let Some(h) = g.handguard {
        let hl = g.barrel_len * 0.45;
        let ht = if h == Organic {
            30.0
        } else if h == Aluminium {
            4.0
        } else {
            8.0
        };
        o.add(Prim::Slab { w: hl, h: 2.0 * g.barrel_r + 24.0, t: ht }, h, rl + 25.0 + hl / 2.0, -2.0);
        // gas tube above the barrel
        o.add(Prim::Rod { len: hl + 30.0, r: 3.0 }, Steel, rl + 25.0 + hl / 2.0, -2.0 - g.barrel_r - 6.0);
    }
    // pistol grip behind the trigger, trigger guard, trigger group
    o.add(
        Prim::Poly {
            pts: vec![[rl * 0.28, rh / 2.0], [rl * 0.28 + 30.0, rh / 2.0], [rl * 0.28 + 5.0, rh / 2.0 + 85.0], [rl * 0.28 - 25.0, rh / 2.0 + 80.0]],
            t: 28.0,
        },
        g.grip,
        0.0,
        0.0,
    );
    o.add(Prim::Ring { r: 18.0, ri: 13.0, t: 6.0 }, g.receiver, rl * 0.28 + 55.0, rh / 2.0 + 2.0);
    o.add(Prim::Slab { w: 40.0, h: 14.0, t: -6.0 }, g.receiver, rl * 0.28 + 55.0, rh / 2.0 - 10.0);
    o.add(Prim::Poly { pts: vec![[0.0, 0.0], [14.0, 0.0], [18.0, 18.0], [8.0, 20.0]], t: 7.0 }, Steel, rl * 0.28 + 40.0, rh / 2.0 - 12.0);
    if let Some((m, len)) = g.stock {
        let t = if m == Organic { 38.0 } else { 14.0 };
        let drop = if m == Organic { 45.0 } else { 20.0 };
        o.add(
            Prim::Poly { pts: vec![[0.0, -rh / 2.0], [0.0, rh / 2.0], [-len, rh / 2.0 + drop + 70.0], [-len, -rh / 2.0 + drop * 0.5 - 8.0]], t },
            m,
            0.0,
            0.0,
        );
        if m != Organic {
            // buffer tube
            o.add(Prim::Tube { len: len * 0.8, r: 15.0, ri: 13.0 }, Aluminium, -len * 0.4, -2.0);
        } else {
            o.add(Prim::Slab { w: 8.0, h: 90.0, t: 40.0 }, Steel, -len + 3.0, drop * 0.3 + 30.0);
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

/// Every threat variant: `(variant, fine class)`.
pub const VARIANTS: &[(&str, &str)] = &[
    ("pistol_polymer_9mm", "pistol"),
    ("pistol_compact_9mm", "pistol"),
    ("pistol_steel_45acp", "pistol"),
    ("pistol_alloy_9mm", "pistol"),
    ("pistol_pocket_22", "pistol"),
    ("revolver_snub_38", "revolver"),
    ("revolver_4in_38", "revolver"),
    ("revolver_6in_38", "revolver"),
    ("rifle_ar15_556", "rifle"),
    ("rifle_ak_762x39", "rifle"),
    ("shotgun_pump_shortened", "shotgun"),
    ("smg_9mm", "submachine_gun"),
    ("barrel_pistol", "barrel"),
    ("barrel_rifle", "barrel"),
    ("slide_pistol", "slide"),
    ("frame_pistol_polymer", "frame_receiver"),
    ("receiver_ar15_lower", "frame_receiver"),
    ("bolt_carrier_ar15", "bolt"),
    ("bolt_rifle", "bolt"),
    ("cylinder_revolver", "cylinder"),
    ("trigger_group_ar15", "trigger_group"),
    ("magazine_pistol", "magazine"),
    ("magazine_rifle", "magazine"),
    ("cartridge", "cartridge"),
    ("shotgun_shell", "shotgun_shell"),
    ("ammunition_box", "ammunition_box"),
    ("ammunition_clip", "ammunition_clip"),
    ("ammunition_belt", "ammunition_belt"),
];

/// Parametric part families: each draw picks an architecture and its dimensions at random, so a
/// model trained on them meets the kind of part (a receiver, a bolt, a barrel) rather than one
/// design. Drawn only when a dataset asks for them ([`crate::SynthOptions::with_part_families`]),
/// so data sets made without them keep their bytes.
pub const PART_FAMILIES: &[(&str, &str)] = &[("receiver_family", "frame_receiver"), ("bolt_family", "bolt"), ("barrel_family", "barrel")];

/// Light frames and receivers (aluminium or polymer, faint beside steel): drawn only in place of a
/// part at the rate a dataset asks for ([`crate::SynthOptions::with_light_frame_fraction`]).
pub const LIGHT_FRAME_FAMILY: (&str, &str) = ("light_frame_family", "frame_receiver");

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
            let (len, h, t) = (rng.range(150.0, 235.0), rng.range(22.0, 40.0), k * rng.range(7.0, 13.0));
            o.add(Prim::Slab { w: len, h, t }, m, 0.0, 0.0);
            let (wx, ww, wd) = (rng.range(0.0, 0.3) * len, rng.range(50.0, 85.0), rng.range(30.0, 62.0));
            let lean = rng.range(-6.0, 6.0);
            let well = vec![[-ww / 2.0, h / 2.0 - 2.0], [ww / 2.0, h / 2.0 - 2.0], [ww / 2.0 + lean, h / 2.0 + wd], [-ww / 2.0 + lean, h / 2.0 + wd]];
            o.add(Prim::Poly { pts: well, t: k * rng.range(6.0, 10.0) }, m, wx, 0.0);
            if rng.chance(0.5) {
                let wall = rng.range(3.0, 6.0);
                let inner = vec![
                    [-ww / 2.0 + wall, h / 2.0],
                    [ww / 2.0 - wall, h / 2.0],
                    [ww / 2.0 - wall + lean, h / 2.0 + wd - wall],
                    [-ww / 2.0 + wall + lean, h / 2.0 + wd - wall],
                ];
                o.add(Prim::Neg(Box::new(Prim::Poly { pts: inner, t: k * rng.range(3.0, 5.0) })), m, wx, 0.0);
            }
            let (bw, bh) = (rng.range(18.0, 30.0), rng.range(h + 10.0, h + 28.0));
            o.add(Prim::Slab { w: bw, h: bh, t: k * rng.range(22.0, 36.0) }, m, -len / 2.0 + bw / 2.0, -(bh - h) / 2.0);
            if rng.chance(0.6) {
                let r = rng.range(14.0, 18.0);
                o.add(Prim::Tube { len: rng.range(12.0, 30.0), r, ri: r - 3.0 }, m, -len / 2.0 - 6.0, -(bh - h) / 2.0);
            }
            let gx = -len / 2.0 + bw + rng.range(20.0, 45.0);
            o.add(Prim::Slab { w: rng.range(24.0, 36.0), h: rng.range(10.0, 18.0), t: k * rng.range(14.0, 22.0) }, m, gx, h / 2.0 + 4.0);
            let r = rng.range(14.0, 20.0);
            let gap = wx - ww / 2.0 - gx;
            if rng.chance(0.7) {
                o.add(Prim::Ring { r, ri: r - rng.range(3.5, 6.0), t: k * rng.range(4.0, 8.0) }, m, gx + gap * 0.55, h / 2.0 + r * 0.5);
            } else {
                o.add(Prim::Slab { w: gap.abs().max(20.0), h: 4.0, t: k * 6.0 }, m, gx + gap * 0.5, h / 2.0 + 14.0);
            }
            o.add(Prim::Neg(Box::new(Prim::Slab { w: rng.range(25.0, 40.0), h: h * 0.45, t: k * rng.range(3.0, 6.0) })), m, gx + gap * 0.5, 0.0);
            for _ in 0..2 + rng.below(3) {
                o.add(Prim::Disc { rx: 1.6, ry: 1.6, t: rng.range(18.0, 26.0) }, Steel, rng.range(-0.4, 0.1) * len, rng.range(-0.2, 0.2) * h);
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
            o.add(Prim::Tube { len, r, ri: r - k * rng.range(2.5, 4.0) }, m, 0.0, 0.0);
            o.add(Prim::Slab { w: len, h: rng.range(6.0, 10.0), t: k * rng.range(12.0, 20.0) }, m, 0.0, -r - 3.0);
            o.add(
                Prim::Neg(Box::new(Prim::Slab { w: rng.range(35.0, 60.0), h: r * 0.8, t: k * rng.range(2.0, 4.0) })),
                m,
                rng.range(-0.05, 0.2) * len,
                r * 0.2,
            );
            if rng.chance(0.6) {
                o.add(Prim::Rod { len: rng.range(15.0, 25.0), r: rng.range(4.0, 6.0) }, m, -len * 0.2, r + 3.0);
            }
            o.add(Prim::Slab { w: rng.range(14.0, 22.0), h: rng.range(12.0, 20.0), t: k * rng.range(10.0, 18.0) }, m, -len / 2.0 + 10.0, r + 6.0);
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
            let (len, h, t) = (rng.range(140.0, 250.0), rng.range(22.0, 40.0), rng.range(7.0, 14.0));
            o.add(Prim::Slab { w: len, h, t }, m, 0.0, 0.0);
            let (wx, ww, wd) = (rng.range(-0.15, 0.3) * len, rng.range(45.0, 90.0), rng.range(25.0, 65.0));
            let lean = rng.range(-8.0, 8.0);
            let well = vec![[-ww / 2.0, h / 2.0 - 2.0], [ww / 2.0, h / 2.0 - 2.0], [ww / 2.0 + lean, h / 2.0 + wd], [-ww / 2.0 + lean, h / 2.0 + wd]];
            o.add(Prim::Poly { pts: well, t: rng.range(5.0, 10.0) }, m, wx, 0.0);
            if rng.chance(0.6) {
                let (bw, bh) = (rng.range(16.0, 30.0), rng.range(h, h + 25.0));
                o.add(Prim::Slab { w: bw, h: bh, t: rng.range(20.0, 36.0) }, m, -len / 2.0 + bw / 2.0, -(bh - h) / 2.0);
                if rng.chance(0.5) {
                    o.add(Prim::Tube { len: rng.range(15.0, 40.0), r: 16.0, ri: 13.0 }, m, -len / 2.0 - 8.0, -(bh - h) / 2.0);
                }
            }
            if rng.chance(0.7) {
                let r = rng.range(14.0, 20.0);
                o.add(Prim::Ring { r, ri: r - rng.range(3.0, 6.0), t: rng.range(5.0, 9.0) }, m, wx - ww / 2.0 - r * 0.8, h / 2.0 + r * 0.6);
            }
            if rng.chance(0.5) {
                o.add(Prim::Slab { w: rng.range(20.0, 40.0), h: rng.range(10.0, 20.0), t: rng.range(10.0, 24.0) }, m, wx - ww / 2.0 - 30.0, h / 2.0 + 8.0);
            }
            for _ in 0..2 + rng.below(3) {
                o.add(Prim::Disc { rx: 1.6, ry: 1.6, t: rng.range(18.0, 26.0) }, Steel, rng.range(-0.4, 0.3) * len, rng.range(-0.3, 0.3) * h);
            }
        }
        1 => {
            let (len, h, depth) = (rng.range(170.0, 300.0), rng.range(28.0, 50.0), rng.range(22.0, 36.0));
            let sheet = rng.range(0.8, 1.5);
            o.add(Prim::OpenBox { w: len, h, wall: sheet + 0.5, depth, sheet }, Steel, 0.0, 0.0);
            let tw = rng.range(22.0, 40.0);
            o.add(Prim::Slab { w: tw, h: h * 0.8, t: depth }, Steel, len / 2.0 - tw / 2.0, 0.0);
            o.add(Prim::Slab { w: len * 0.9, h: 3.0, t: 6.0 }, Steel, 0.0, -h / 2.0 + 3.0);
            if rng.chance(0.7) {
                o.add(Prim::Slab { w: rng.range(30.0, 45.0), h: h * 0.5, t: -sheet }, Steel, len * rng.range(0.0, 0.2), h * 0.25);
            }
            for _ in 0..3 + rng.below(5) {
                o.add(Prim::Disc { rx: 2.2, ry: 2.2, t: depth }, Steel, rng.range(-0.45, 0.45) * len, rng.range(-0.35, 0.35) * h);
            }
            if rng.chance(0.5) {
                let r = rng.range(12.0, 18.0);
                o.add(Prim::Ring { r, ri: r - 3.0, t: 4.0 }, Steel, rng.range(-0.1, 0.2) * len, h / 2.0 + r * 0.7);
            }
        }
        2 => {
            let (len, r) = (rng.range(140.0, 240.0), rng.range(13.0, 20.0));
            o.add(Prim::Tube { len, r, ri: r - rng.range(2.5, 4.5) }, Steel, 0.0, 0.0);
            o.add(
                Prim::Neg(Box::new(Prim::Slab { w: rng.range(40.0, 75.0), h: r * 0.8, t: rng.range(3.0, 6.0) })),
                Steel,
                rng.range(-0.1, 0.2) * len,
                -r * 0.3,
            );
            o.add(Prim::Slab { w: rng.range(10.0, 18.0), h: rng.range(8.0, 14.0), t: rng.range(14.0, 22.0) }, Steel, len / 2.0 - 14.0, r + 4.0);
            o.add(Prim::Slab { w: rng.range(30.0, 60.0), h: 8.0, t: 8.0 }, Steel, -len / 2.0 - 15.0, r * 0.3);
            if rng.chance(0.5) {
                o.add(Prim::Slab { w: rng.range(50.0, 80.0), h: 6.0, t: -4.0 }, Steel, 0.0, r * 0.7);
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

/// A pistol frame of material `m` into `o`: rail, grip with a hollow magazine well (hollow to `well_extra` mm more than
/// the rail is thick, less a wall), trigger guard ring, a cut-out behind the guard when `guard_cutout` holds, steel
/// rails and block when polymer, and pins. `t_mm` draws the rail's thickness, after its length and height.
fn pistol_frame(o: &mut Object, rng: &mut Rng, m: Material, t_mm: impl FnOnce(&mut Rng) -> f32, well_extra: f32, guard_cutout: bool) {
    let len = rng.range(120.0, 210.0);
    let rail_h = rng.range(9.0, 16.0);
    let t = t_mm(rng);
    let (gw, gh, slant) = (rng.range(40.0, 56.0), rng.range(70.0, 110.0), rng.range(0.15, 0.4));
    let back = -len / 2.0;
    let dx = gh * slant.tan();
    o.add(Prim::Slab { w: len, h: rail_h, t }, m, 0.0, rail_h / 2.0);
    o.add(Prim::Poly { pts: vec![[back, rail_h], [back + gw, rail_h], [back + gw - dx, rail_h + gh], [back - dx, rail_h + gh]], t: t + 4.0 }, m, 0.0, 0.0);
    let wall = rng.range(3.0, 6.0);
    let depth = -(t + well_extra - rng.range(3.0, 6.0));
    let well = vec![[back + wall, rail_h + 8.0], [back + gw - wall, rail_h + 8.0], [back + gw - wall - dx, rail_h + gh], [back + wall - dx, rail_h + gh]];
    o.add(Prim::Poly { pts: well, t: depth }, m, 0.0, 0.0);
    let r = rng.range(14.0, 19.0);
    o.add(Prim::Ring { r, ri: r - 4.5, t: t * 0.6 }, m, back + gw + r, rail_h + r * 0.5);
    if guard_cutout && rng.chance(0.5) {
        o.add(Prim::Slab { w: rng.range(25.0, 45.0), h: rng.range(8.0, 14.0), t: -t * 0.6 }, m, back + gw + r, rail_h - 2.0);
    }
    if m == Plastic {
        for i in 0..2 {
            o.add(Prim::Slab { w: rng.range(14.0, 24.0), h: 4.0, t: 10.0 }, Steel, back + 12.0 + i as f32 * rng.range(70.0, 100.0), 3.0);
        }
        o.add(Prim::Slab { w: 14.0, h: 8.0, t: 14.0 }, Steel, back + gw + 10.0, rail_h);
    }
    for _ in 0..1 + rng.below(3) {
        o.add(Prim::Disc { rx: 1.5, ry: 1.5, t: t + 4.0 }, Steel, back + rng.range(10.0, gw + 40.0), rail_h + rng.range(0.0, 12.0));
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
            o.add(Prim::Neg(Box::new(Prim::Rod { len: len * 0.7, r: r * 0.3 })), Steel, -len * 0.1, 0.0);
            let lug = rng.range(6.0, 14.0);
            for s in [-1.0f32, 1.0] {
                o.add(Prim::Slab { w: lug, h: rng.range(3.0, 6.0), t: rng.range(6.0, 10.0) }, Steel, len / 2.0 - lug / 2.0 - 2.0, s * (r + 1.5));
            }
            if rng.chance(0.6) {
                let (hx, hl, a) = (rng.range(-0.45, 0.0) * len, rng.range(30.0, 65.0), rng.range(1.0, 1.5));
                let (s, c) = a.sin_cos();
                o.add_rot(Prim::Rod { len: hl, r: rng.range(3.0, 5.0) }, Steel, hx + c * hl / 2.0, r + s * hl / 2.0, a);
                if rng.chance(0.8) {
                    let k = rng.range(7.0, 11.0);
                    o.add(Prim::Dome { rx: k, ry: k, t: 2.0 * k }, Steel, hx + c * hl, r + s * hl);
                }
            }
            if rng.chance(0.5) {
                o.add(Prim::Rod { len: rng.range(20.0, 40.0), r: r + rng.range(1.0, 4.0) }, Steel, -len / 2.0 - 12.0, 0.0);
            }
        }
        1 => {
            let (w, h, t) = (rng.range(35.0, 95.0), rng.range(16.0, 36.0), rng.range(14.0, 30.0));
            o.add(Prim::RoundSlab { w, h, r: rng.range(1.0, 5.0), t }, Steel, 0.0, 0.0);
            o.add(Prim::Neg(Box::new(Prim::Rod { len: w * 0.8, r: rng.range(1.5, 3.0) })), Steel, w * 0.1, 0.0);
            o.add(Prim::Slab { w: rng.range(8.0, 20.0), h: 3.0, t: -t * 0.4 }, Steel, w / 2.0 - 8.0, -h / 2.0 + 2.0);
            if rng.chance(0.6) {
                o.add(Prim::Rod { len: rng.range(40.0, 110.0), r: rng.range(2.0, 4.0) }, Steel, -w / 2.0 - 25.0, rng.range(-0.3, 0.3) * h);
            }
        }
        _ => {
            let (len, r) = (rng.range(75.0, 135.0), rng.range(9.0, 14.0));
            o.add(Prim::Rod { len, r }, Steel, 0.0, 0.0);
            o.add(Prim::Neg(Box::new(Prim::Rod { len: len * 0.6, r: r * 0.4 })), Steel, -len * 0.15, 0.0);
            o.add(Prim::Rod { len: rng.range(20.0, 40.0), r: r * 0.55 }, Steel, len / 2.0 + 12.0, 0.0);
            let rod_len = rng.range(60.0, 320.0);
            let rr = rng.range(3.0, 6.0);
            o.add(Prim::Rod { len: rod_len, r: rr }, Steel, -len / 2.0 + rod_len / 2.0 + 10.0, -r - rr);
            if rng.chance(0.5) {
                o.add(Prim::Rod { len: 12.0, r: rr + 5.0 }, Steel, -len / 2.0 + rod_len + 10.0, -r - rr);
            }
            if rng.chance(0.5) {
                o.add(Prim::Slab { w: rng.range(12.0, 25.0), h: rng.range(8.0, 15.0), t: 10.0 }, Steel, -len * 0.2, r + 5.0);
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
            (rng.range(60.0, 160.0), cal.dims().case_r + rng.range(1.5, 4.0), cal.dims().bullet_r)
        }
        1 => (rng.range(250.0, 600.0), rng.range(7.0, 13.0), rng.range(2.7, 3.9)),
        _ => (rng.range(300.0, 650.0), rng.range(10.5, 13.0), rng.range(8.8, 9.8)),
    };
    let taper = rng.range(0.55, 1.0);
    o.add(Prim::Tube { len: len * 0.4, r, ri }, Steel, -len * 0.3, 0.0);
    o.add(Prim::Tube { len: len * 0.6, r: (r * taper).max(ri + 1.5), ri }, Steel, len * 0.2, 0.0);
    if rng.chance(0.6) {
        let cw = rng.range(15.0, 45.0);
        o.add(Prim::Tube { len: cw, r: r + rng.range(1.0, 6.0), ri: ri + 1.0 }, Steel, -len / 2.0 + cw / 2.0, 0.0);
    }
    if rng.chance(0.4) {
        o.add(Prim::Slab { w: rng.range(6.0, 20.0), h: rng.range(5.0, 14.0), t: rng.range(4.0, 10.0) }, Steel, len * rng.range(0.3, 0.47), -r - 4.0);
    }
    if rng.chance(0.3) {
        let ml = rng.range(20.0, 60.0);
        o.add(Prim::Tube { len: ml, r: r * taper + rng.range(2.0, 6.0), ri: ri + 1.0 }, Steel, len / 2.0 + ml / 2.0, 0.0);
    }
    o
}

/// A threat ready to place.
#[derive(Clone, Debug)]
pub struct Threat {
    pub variant: &'static str,
    pub fine_class: &'static str,
    pub category: Category,
    pub object: Object,
}

fn pistol_calibre(rng: &mut Rng) -> Calibre {
    *rng.pick(&[Calibre::Nine19, Calibre::Nine19, Calibre::Acp45, Calibre::Spl38, Calibre::Lr22]).unwrap_or(&Calibre::Nine19)
}

/// The `(variant, fine class)` entry of a fixed variant or part family named `name`.
#[must_use]
pub fn find_variant(name: &str) -> Option<(&'static str, &'static str)> {
    VARIANTS.iter().chain(PART_FAMILIES).chain(std::iter::once(&LIGHT_FRAME_FAMILY)).find(|(v, _)| *v == name).copied()
}

/// Builds one variant (None for an unknown name).
#[must_use]
pub fn build(variant: &str, rng: &mut Rng) -> Option<Threat> {
    let (name, fine) = find_variant(variant)?;
    let category = known_category(fine)?;
    let p = |len, height, slide_h, barrel_len, frame, grip_w, slant: f32, cal, cap, hammer| PistolSpec {
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
    };
    let object = match name {
        // Glock 17-like: 186 x 138 mm, polymer frame, 114 mm barrel
        "pistol_polymer_9mm" => pistol_obj(&p(186.0, 138.0, 28.0, 114.0, Plastic, 50.0, 0.36, Calibre::Nine19, 17, false), rng),
        // Glock 19-like: 174 x 128 mm
        "pistol_compact_9mm" => pistol_obj(&p(174.0, 128.0, 28.0, 102.0, Plastic, 48.0, 0.36, Calibre::Nine19, 15, false), rng),
        // M1911-like: 216 x 140 mm, steel frame, single stack .45 ACP, 127 mm barrel
        "pistol_steel_45acp" => pistol_obj(&p(216.0, 140.0, 26.0, 127.0, Steel, 44.0, 0.3, Calibre::Acp45, 7, true), rng),
        // Beretta 92-like: 217 x 137 mm, aluminium-alloy frame
        "pistol_alloy_9mm" => pistol_obj(&p(217.0, 137.0, 30.0, 125.0, Aluminium, 52.0, 0.3, Calibre::Nine19, 15, true), rng),
        // small .22 pocket pistol: 125 x 90 mm
        "pistol_pocket_22" => pistol_obj(&p(125.0, 90.0, 20.0, 70.0, Steel, 36.0, 0.25, Calibre::Lr22, 8, true), rng),
        "revolver_snub_38" => revolver_obj(52.0, Calibre::Spl38, rng),
        "revolver_4in_38" => revolver_obj(102.0, Calibre::Spl38, rng),
        "revolver_6in_38" => revolver_obj(152.0, Calibre::Spl38, rng),
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
            o.add(Prim::Tube { len: 300.0, r: 11.5, ri: 10.8 }, Steel, shift + 200.0 + 150.0, 22.0);
            o.add(Prim::Slab { w: 160.0, h: 44.0, t: 10.0 }, Plastic, shift + 200.0 + 120.0, 16.0);
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
            o.add(Prim::Slab { w: 300.0, h: 52.0, t: 3.0 }, Steel, 0.0, 0.0);
            o.add(Prim::Slab { w: 300.0, h: 5.0, t: 40.0 }, Steel, 0.0, -24.0);
            o.add(Prim::Rod { len: 140.0, r: 14.0 }, Steel, 20.0, 0.0);
            o.add(Prim::Tube { len: 260.0, r: 7.5, ri: 4.5 }, Steel, 110.0, 2.0);
            o.add(Prim::Slab { w: 260.0, h: 6.0, t: 6.0 }, Steel, -30.0, 30.0);
            o.add(Prim::Slab { w: 200.0, h: 5.0, t: 6.0 }, Steel, -40.0, -10.0);
            o.add(Prim::Poly { pts: vec![[-20.0, 26.0], [30.0, 26.0], [28.0, 125.0], [-22.0, 125.0]], t: 34.0 }, Plastic, 0.0, 0.0);
            o.add(Prim::Ring { r: 22.0, ri: 17.0, t: 6.0 }, Steel, 60.0, 38.0);
            o.add(Prim::Slab { w: 50.0, h: 22.0, t: -6.0 }, Steel, 60.0, 22.0);
            let n = if rng.chance(0.8) { 25 } else { rng.below(25) };
            let mag = magazine_obj(Calibre::Nine19, n, Steel, 0.0);
            o.merge(&mag, 4.0, 26.0 + 80.0, 0.0);
            o
        }
        "barrel_pistol" => {
            let mut o = Object::new();
            let cal = pistol_calibre(rng);
            let (len, r) = (rng.range(95.0, 128.0), cal.dims().case_r + 2.0);
            o.add(Prim::Tube { len, r, ri: cal.dims().bullet_r }, Steel, 0.0, 0.0);
            o.add(Prim::Slab { w: 26.0, h: 2.0 * r + 6.0, t: 12.0 }, Steel, -len / 2.0 + 13.0, 0.0);
            o.add(Prim::Poly { pts: vec![[0.0, 0.0], [12.0, 0.0], [6.0, 10.0]], t: 8.0 }, Steel, -len / 2.0 + 10.0, r + 3.0);
            o
        }
        "barrel_rifle" => {
            let mut o = Object::new();
            let len = rng.range(300.0, 520.0);
            o.add(Prim::Tube { len, r: 9.5, ri: 3.0 }, Steel, 0.0, 0.0);
            o.add(Prim::Rod { len: 45.0, r: 14.0 }, Steel, -len / 2.0 - 10.0, 0.0);
            o.add(Prim::Neg(Box::new(Prim::Rod { len: 45.0, r: 6.0 })), Steel, -len / 2.0 - 10.0, 0.0);
            o.add(Prim::Tube { len: 40.0, r: 11.0, ri: 3.5 }, Steel, len / 2.0 - 10.0, 0.0);
            o
        }
        "slide_pistol" => {
            let mut o = Object::new();
            let (len, h) = (rng.range(170.0, 215.0), rng.range(26.0, 31.0));
            o.add(Prim::Slab { w: len, h, t: 8.0 }, Steel, 0.0, 0.0);
            o.add(Prim::Slab { w: len * 0.96, h: 3.0, t: 17.0 }, Steel, 0.0, -h / 2.0 + 1.5);
            o.add(Prim::Slab { w: 22.0, h, t: 17.0 }, Steel, -len / 2.0 + 11.0, 0.0);
            o.add(Prim::Slab { w: 28.0, h: h * 0.45, t: -4.0 }, Steel, -len * 0.08, -h * 0.2);
            o.add(Prim::Slab { w: 6.0, h: 5.0, t: 4.0 }, Steel, len / 2.0 - 8.0, -h / 2.0 - 2.0);
            o.add(Prim::Slab { w: 8.0, h: 5.0, t: 8.0 }, Steel, -len / 2.0 + 10.0, -h / 2.0 - 2.0);
            o
        }
        "frame_pistol_polymer" => {
            let mut o = Object::new();
            let (len, y0, bottom, back, gw, slant) = (165.0f32, -44.0f32, 62.0f32, -82.0f32, 50.0f32, 0.36f32);
            let dx = (bottom - y0 - 8.0) * slant.tan();
            o.add(Prim::Slab { w: len, h: 14.0, t: 12.0 }, Plastic, 4.0, y0 + 7.0);
            o.add(
                Prim::Poly { pts: vec![[back, y0 + 4.0], [back + gw, y0 + 4.0], [back + gw - dx, bottom], [back - dx - 3.0, bottom]], t: 16.0 },
                Plastic,
                0.0,
                0.0,
            );
            // the grip is hollow (magazine well)
            o.add(
                Prim::Poly {
                    pts: vec![[back + 4.0, y0 + 16.0], [back + gw - 4.0, y0 + 16.0], [back + gw - dx - 4.0, bottom], [back - dx + 2.0, bottom]],
                    t: -10.0,
                },
                Plastic,
                0.0,
                0.0,
            );
            o.add(Prim::Ring { r: 17.0, ri: 12.5, t: 9.0 }, Plastic, back + gw + 17.0, y0 + 10.0);
            o.add(Prim::Slab { w: 36.0, h: 12.0, t: -9.0 }, Plastic, back + gw + 17.0, y0 - 2.0);
            o.add(Prim::Slab { w: 18.0, h: 4.0, t: 10.0 }, Steel, back + 12.0, y0 + 3.0);
            o.add(Prim::Slab { w: 14.0, h: 8.0, t: 14.0 }, Steel, back + gw + 12.0, y0 + 5.0);
            o.add_rot(Prim::Slab { w: 4.0, h: 15.0, t: 6.0 }, Steel, back + gw + 12.0, y0 + 12.0, 0.25);
            o.add(Prim::Slab { w: 40.0, h: 2.0, t: 2.0 }, Steel, back + gw - 6.0, y0 + 8.0);
            o
        }
        "receiver_ar15_lower" => {
            let mut o = Object::new();
            // forged aluminium lower: body, magazine well (hollow), grip boss, buffer tower
            o.add(Prim::Slab { w: 190.0, h: 32.0, t: 10.0 }, Aluminium, 0.0, 0.0);
            o.add(Prim::Poly { pts: vec![[10.0, 14.0], [82.0, 14.0], [78.0, 66.0], [14.0, 66.0]], t: 8.0 }, Aluminium, 0.0, 0.0);
            o.add(Prim::Slab { w: 24.0, h: 50.0, t: 34.0 }, Aluminium, -90.0, -14.0);
            o.add(Prim::Tube { len: 20.0, r: 17.0, ri: 14.0 }, Aluminium, -98.0, -14.0);
            o.add(Prim::Slab { w: 30.0, h: 14.0, t: 20.0 }, Aluminium, -50.0, 20.0);
            o.add(Prim::Ring { r: 18.0, ri: 13.0, t: 6.0 }, Aluminium, -10.0, 22.0);
            o.add(Prim::Slab { w: 36.0, h: 14.0, t: -6.0 }, Aluminium, -10.0, 10.0);
            for x in [-40.0, -20.0] {
                o.add(Prim::Disc { rx: 1.6, ry: 1.6, t: 24.0 }, Steel, x, 2.0);
            }
            o
        }
        "bolt_carrier_ar15" => {
            let mut o = Object::new();
            o.add(Prim::Rod { len: 95.0, r: 12.5 }, Steel, 0.0, 0.0);
            o.add(Prim::Neg(Box::new(Prim::Rod { len: 60.0, r: 5.0 })), Steel, -10.0, 0.0);
            o.add(Prim::Rod { len: 35.0, r: 7.0 }, Steel, 60.0, 0.0);
            o.add(Prim::Slab { w: 40.0, h: 10.0, t: 10.0 }, Steel, 10.0, -17.0);
            o.add(Prim::Rod { len: 60.0, r: 1.5 }, Steel, -20.0, 0.0);
            o
        }
        "bolt_rifle" => {
            let mut o = Object::new();
            let len = rng.range(150.0, 190.0);
            o.add(Prim::Rod { len, r: 9.0 }, Steel, 0.0, 0.0);
            o.add(Prim::Rod { len: 30.0, r: 11.0 }, Steel, -len / 2.0 - 10.0, 0.0);
            o.add_rot(Prim::Rod { len: 55.0, r: 4.0 }, Steel, -len / 2.0 + 20.0, 30.0, PI / 2.0 - 0.3);
            o.add(Prim::Dome { rx: 9.0, ry: 9.0, t: 18.0 }, Steel, -len / 2.0 + 12.0, 58.0);
            o.add(Prim::Slab { w: 8.0, h: 26.0, t: 8.0 }, Steel, len / 2.0 - 6.0, 0.0);
            o
        }
        "cylinder_revolver" => {
            // seen along its axis: 37 mm steel disc, 6 chambers, centre pin hole; some loaded
            let mut o = Object::new();
            let t = rng.range(38.0, 42.0);
            let n = if rng.chance(0.5) { 6 } else { 5 };
            o.add(Prim::Disc { rx: 18.5, ry: 18.5, t }, Steel, 0.0, 0.0);
            o.add(Prim::Disc { rx: 3.0, ry: 3.0, t: -t }, Steel, 0.0, 0.0);
            for k in 0..n {
                let a = k as f32 * 2.0 * PI / n as f32;
                let (x, y) = (11.5 * a.cos(), 11.5 * a.sin());
                o.add(Prim::Disc { rx: 4.9, ry: 4.9, t: -t }, Steel, x, y);
                if rng.chance(0.6) {
                    o.merge(&cartridge_end_on(Calibre::Spl38), x, y, 0.0);
                }
            }
            o
        }
        "trigger_group_ar15" => {
            let mut o = Object::new();
            o.add(Prim::Poly { pts: vec![[0.0, 0.0], [30.0, -4.0], [34.0, 4.0], [6.0, 12.0]], t: 6.0 }, Steel, -20.0, -8.0);
            o.add(Prim::Poly { pts: vec![[0.0, 0.0], [22.0, 0.0], [14.0, 30.0], [6.0, 30.0]], t: 6.0 }, Steel, 10.0, -4.0);
            o.add(Prim::Slab { w: 18.0, h: 5.0, t: 5.0 }, Steel, 8.0, -10.0);
            for (x, y) in [(-14.0, -2.0), (18.0, 0.0)] {
                o.add(Prim::Disc { rx: 2.0, ry: 2.0, t: 18.0 }, Steel, x, y);
                o.add(Prim::Ring { r: 6.0, ri: 5.0, t: 5.0 }, Steel, x, y);
            }
            o.add_rot(Prim::Rod { len: 20.0, r: 2.5 }, Steel, 0.0, 12.0, 0.5);
            o
        }
        "magazine_pistol" => {
            let cal = *rng.pick(&[Calibre::Nine19, Calibre::Acp45]).unwrap_or(&Calibre::Nine19);
            let cap = if cal == Calibre::Acp45 { 7 } else { 15 };
            let n = rng.below(cap + 1);
            magazine_obj(cal, n, Steel, 0.0)
        }
        "magazine_rifle" => {
            if rng.chance(0.5) {
                magazine_obj(Calibre::Nato556, rng.below(31), Aluminium, 0.25)
            } else {
                magazine_obj(Calibre::Sov762x39, rng.below(31), Steel, 0.6)
            }
        }
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
            o.add(Prim::OpenBox { w: w + 4.0, h: h + 4.0, wall: 1.5, depth: cal.oal() + 6.0, sheet: 0.6 }, Paper, 0.0, 0.0);
            o.add(Prim::Slab { w, h, t: 1.5 }, Plastic, 0.0, 0.0);
            let round = cartridge_end_on(cal);
            let missing = rng.below(8);
            for r in 0..rows {
                for c in 0..cols {
                    if (r * cols + c) % 11 < missing.min(3) && missing > 4 {
                        continue;
                    }
                    o.merge(&round, -w / 2.0 + 4.0 + (c as f32 + 0.5) * dia, -h / 2.0 + 4.0 + (r as f32 + 0.5) * dia, 0.0);
                }
            }
            o
        }
        "ammunition_clip" => {
            let mut o = Object::new();
            let (cal, n) = *rng.pick(&[(Calibre::Nato556, 10usize), (Calibre::Sov762x39, 10), (Calibre::Nato762x51, 5)]).unwrap_or(&(Calibre::Nato556, 10));
            let pitch = cal.diameter() * 1.02;
            let span = pitch * n as f32;
            let round = cartridge(cal);
            for i in 0..n {
                o.merge(&round, 0.0, -span / 2.0 + (i as f32 + 0.5) * pitch, 0.0);
            }
            o.add(Prim::Slab { w: 5.0, h: span + 4.0, t: 6.0 }, Steel, -cal.oal() / 2.0 + 1.5, 0.0);
            o
        }
        "ammunition_belt" => {
            let mut o = Object::new();
            let cal = *rng.pick(&[Calibre::Nato556, Calibre::Nato762x51]).unwrap_or(&Calibre::Nato556);
            let n = 8 + rng.below(14);
            let pitch = cal.diameter() + rng.range(2.5, 5.0);
            let bend = rng.range(-0.03, 0.03);
            let round = cartridge(cal);
            let (mut x, mut y, mut a) = (0.0f32, 0.0f32, 0.0f32);
            for _ in 0..n {
                o.merge(&round, x, y, a);
                for off in [-cal.oal() * 0.25, cal.oal() * 0.05] {
                    let (s, c) = a.sin_cos();
                    o.add_rot(Prim::Ring { r: cal.diameter() / 2.0 + 1.2, ri: cal.diameter() / 2.0 + 0.2, t: 3.0 }, Steel, x + c * off, y + s * off, a);
                }
                a += bend;
                x += -a.sin() * pitch;
                y += a.cos() * pitch;
            }
            let mut c = Object::new();
            c.merge(&o, -x / 2.0, -y / 2.0, 0.0);
            c
        }
        "receiver_family" => receiver_family(rng),
        "bolt_family" => bolt_family(rng),
        "barrel_family" => barrel_family(rng),
        "light_frame_family" => light_frame_family(rng),
        _ => return None,
    };
    Some(Threat { variant: name, fine_class: fine, category, object })
}

/// Relative weights of the three Protocol categories among the threats of a dataset.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct ThreatMix {
    pub firearm: f32,
    pub part: f32,
    pub ammunition: f32,
}

impl Default for ThreatMix {
    /// Firearms 40 %, parts 30 %, ammunition 30 %.
    fn default() -> Self {
        Self { firearm: 0.4, part: 0.3, ammunition: 0.3 }
    }
}

impl ThreatMix {
    #[must_use]
    pub fn new(firearm: f32, part: f32, ammunition: f32) -> Self {
        Self { firearm, part, ammunition }
    }

    /// Parses `firearm=0.5,part=0.3,ammunition=0.2` (weights, normalised; a category left out
    /// gets 0).
    ///
    /// # Errors
    /// A message naming the bad item.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut mix = Self::new(0.0, 0.0, 0.0);
        for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (k, v) = item.split_once('=').ok_or_else(|| format!("`{item}` (expected CATEGORY=WEIGHT)"))?;
            let w: f32 = v.trim().parse().map_err(|_| format!("`{item}`: weight is not a number"))?;
            match k.trim().parse::<Category>().ok() {
                Some(Category::Firearm) => mix.firearm = w,
                Some(Category::Part) => mix.part = w,
                Some(Category::Ammunition) => mix.ammunition = w,
                None => return Err(format!("`{item}`: unknown category (firearm, part, ammunition)")),
            }
        }
        mix.validate()?;
        Ok(mix)
    }

    /// Weights must be finite, non-negative, and not all zero.
    ///
    /// # Errors
    /// A message with the weights.
    pub fn validate(&self) -> Result<(), String> {
        let w = [self.firearm, self.part, self.ammunition];
        if w.iter().any(|v| !(v.is_finite() && *v >= 0.0)) || w.iter().sum::<f32>() <= 0.0 {
            return Err(format!("threat mix {w:?} (weights >= 0, not all 0)"));
        }
        Ok(())
    }

    /// A category drawn by the weights.
    pub fn draw(&self, rng: &mut Rng) -> Category {
        let total = self.firearm + self.part + self.ammunition;
        let u = rng.f32() * total;
        if u < self.firearm {
            Category::Firearm
        } else if u < self.firearm + self.part || self.ammunition <= 0.0 {
            Category::Part
        } else {
            Category::Ammunition
        }
    }
}

/// A random threat: firearms 40 %, parts 30 %, ammunition 30 %.
#[must_use]
pub fn random_threat(rng: &mut Rng) -> Threat {
    let want = ThreatMix::default().draw(rng);
    random_threat_of(want, rng)
}

/// A random threat of category `want`.
#[must_use]
pub fn random_threat_of(want: Category, rng: &mut Rng) -> Threat {
    random_threat_except(want, &[], rng)
}

/// A random threat of category `want` whose variant is not in `excluded` (shapes held out of a
/// training set). When every variant of `want` is excluded, any variant not excluded is used.
#[must_use]
pub fn random_threat_except(want: Category, excluded: &[String], rng: &mut Rng) -> Threat {
    random_threat_from(want, excluded, false, 0.0, rng)
}

/// A random threat of category `want` whose variant is not in `excluded`, drawn from the fixed
/// variants and, when `part_families` holds, from [`PART_FAMILIES`] too; a part is a
/// [`LIGHT_FRAME_FAMILY`] frame with probability `light_frame_fraction` (no draw is spent on it at 0).
#[must_use]
pub fn random_threat_from(want: Category, excluded: &[String], part_families: bool, light_frame_fraction: f32, rng: &mut Rng) -> Threat {
    let allowed = |v: &str| !excluded.iter().any(|e| e == v);
    if want == Category::Part && light_frame_fraction > 0.0 && allowed(LIGHT_FRAME_FAMILY.0) && rng.chance(light_frame_fraction) {
        if let Some(t) = build(LIGHT_FRAME_FAMILY.0, rng) {
            return t;
        }
    }
    let families: &[(&str, &str)] = if part_families { PART_FAMILIES } else { &[] };
    let mut pool: Vec<&str> = VARIANTS.iter().chain(families).filter(|(v, f)| known_category(f) == Some(want) && allowed(v)).map(|(v, _)| *v).collect();
    if pool.is_empty() {
        pool = VARIANTS.iter().chain(families).filter(|(v, _)| allowed(v)).map(|(v, _)| *v).collect();
    }
    let v = rng.pick(&pool).copied().unwrap_or("cartridge");
    build(v, rng).unwrap_or_else(|| Threat {
        variant: "cartridge",
        fine_class: "cartridge",
        category: Category::Ammunition,
        object: cartridge(Calibre::Nine19),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_builds_with_a_known_class_and_sane_size() {
        let mut rng = Rng::new(5);
        for (v, fine) in VARIANTS {
            let t = build(v, &mut rng).unwrap_or_else(|| panic!("{v} does not build"));
            assert_eq!(t.fine_class, *fine);
            assert_eq!(known_category(fine), Some(t.category), "{v}");
            let r = t.object.radius();
            assert!(r > 5.0 && r < 600.0, "{v}: radius {r} mm");
            assert!(!t.object.parts.is_empty());
        }
        let firearms = VARIANTS.iter().filter(|(_, f)| known_category(f) == Some(Category::Firearm)).count();
        assert_eq!(firearms, 12);
    }

    #[test]
    fn part_families_vary_and_are_drawn_only_when_asked() {
        let mut rng = Rng::new(9);
        for (v, fine) in PART_FAMILIES {
            let mut extents = Vec::new();
            for _ in 0..40 {
                let t = build(v, &mut rng).unwrap_or_else(|| panic!("{v} does not build"));
                assert_eq!(t.fine_class, *fine);
                assert_eq!(t.category, Category::Part, "{v}");
                assert!(!t.object.parts.is_empty(), "{v}: no parts");
                let r = t.object.radius();
                assert!(r > 15.0 && r < 400.0, "{v}: radius {r} mm");
                extents.push(r);
            }
            let (lo, hi) = extents.iter().fold((f32::MAX, f32::MIN), |(a, b), &e| (a.min(e), b.max(e)));
            assert!(hi > 1.4 * lo, "{v}: radii {lo}..{hi} mm do not vary");
        }
        let mut plain = Rng::new(3);
        let mut with = Rng::new(3);
        let mut seen_family = false;
        for _ in 0..300 {
            let a = random_threat_from(Category::Part, &[], false, 0.0, &mut plain);
            assert!(!PART_FAMILIES.iter().any(|(v, _)| *v == a.variant), "{} drawn without asking", a.variant);
            let b = random_threat_from(Category::Part, &[], true, 0.0, &mut with);
            seen_family |= PART_FAMILIES.iter().any(|(v, _)| *v == b.variant);
        }
        assert!(seen_family, "no family drawn in 300 parts");
    }

    #[test]
    fn light_frames_vary_and_are_mostly_light_material() {
        let mut rng = Rng::new(21);
        let mut radii = Vec::new();
        let (mut light_area, mut steel_area) = (0.0f32, 0.0f32);
        for _ in 0..60 {
            let t = build(LIGHT_FRAME_FAMILY.0, &mut rng).unwrap_or_else(|| panic!("light frame does not build"));
            assert_eq!((t.fine_class, t.category), ("frame_receiver", Category::Part));
            radii.push(t.object.radius());
            for p in &t.object.parts {
                let area = match &p.prim {
                    Prim::Slab { w, h, .. } => w * h,
                    Prim::Poly { pts, .. } => pts.len() as f32 * 100.0,
                    Prim::Disc { rx, ry, .. } => rx * ry * PI,
                    _ => 100.0,
                };
                if p.material == Steel {
                    steel_area += area;
                } else {
                    assert!(matches!(p.material, Aluminium | Plastic), "{:?}", p.material);
                    light_area += area;
                }
            }
        }
        assert!(light_area > 8.0 * steel_area, "light {light_area} mm², steel {steel_area} mm²");
        let (lo, hi) = radii.iter().fold((f32::MAX, f32::MIN), |(a, b), &e| (a.min(e), b.max(e)));
        assert!(lo > 30.0 && hi < 200.0 && hi > 1.4 * lo, "radii {lo}..{hi} mm");
        assert!(!PART_FAMILIES.contains(&LIGHT_FRAME_FAMILY), "drawn only when a dataset asks");
    }

    #[test]
    fn cartridges_have_their_overall_length() {
        use crate::physics::AttenuationMap;
        use crate::shapes::{draw, Placement};
        for cal in Calibre::ALL {
            let mut map = AttenuationMap::new(200, 40);
            let pl = Placement { cx: 100.0, cy: 20.0, angle: 0.0, scale: 1.0, mirror: false, mm_per_px: 0.5 };
            draw(&mut map, &cartridge(cal), &pl);
            let cols: Vec<usize> = (0..200).filter(|x| (0..40).any(|y| map.high[y * 200 + x] > 0.0)).collect();
            let extent = (cols.last().copied().unwrap_or(0) + 1 - cols.first().copied().unwrap_or(0)) as f32 * 0.5;
            assert!((extent - cal.oal()).abs() <= 1.5, "{cal:?}: {extent} mm vs {}", cal.oal());
        }
    }
}
