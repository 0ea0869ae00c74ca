"""Procedural hard-negative clutter for armscan-firearm-v1 (v1b): everyday dense objects drawn as X-ray
transmission maps T = exp(-D) (D = optical density, summed where parts overlap) and multiplied into a scene
(I_out = I_bg * T, never alpha-blended), exactly like the TIP threats. They never get a box (background class).

Objects: metal keys (bow with a hole + toothed blade), key rings with several keys, coins, belt buckles, scissors,
pliers, wrenches, batteries/cells (AA, 9 V, coin cells), phones/power banks with internal structure, zips, cables.
Densities: steel/brass parts D 0.7-1.6 (T 0.2-0.5), plastics D 0.05-0.3 (T 0.75-0.95).
All randomness comes from the numpy Generator passed in (deterministic given the seed).
"""
import math

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

SS = 2  # supersampling of the drawing canvas


class Canvas:
    """Density canvas of size (w, h) in final px; parts are drawn at SS x resolution into masks and summed."""

    def __init__(self, w, h):
        self.w, self.h = int(w * SS), int(h * SS)
        self.d = np.zeros((self.h, self.w), np.float32)

    def _mask(self):
        m = Image.new("L", (self.w, self.h), 0)
        return m, ImageDraw.Draw(m)

    def add(self, density, fn):
        m, dr = self._mask()
        fn(dr)
        self.d += np.asarray(m, np.float32) / 255.0 * density

    def sub(self, fn):
        """cut a hole (density to 0 where drawn)"""
        m, dr = self._mask()
        fn(dr)
        self.d *= 1.0 - np.asarray(m, np.float32) / 255.0

    def density(self, out_long, rng):
        """rotate, scale so that the long side of the canvas ~ out_long px, blur slightly; returns D (float32)."""
        im = Image.fromarray(self.d, mode="F")
        s = out_long / max(self.w, self.h)
        im = im.resize((max(2, int(self.w * s)), max(2, int(self.h * s))), Image.BILINEAR)
        im = im.rotate(rng.uniform(0, 360), resample=Image.BILINEAR, expand=True, fillcolor=0)
        d = np.asarray(im, np.float32)
        if rng.random() < 0.5:
            a = rng.uniform(0.15, 0.3)   # separable 3-tap blur (PIL cannot blur float images)
            d = np.pad(d, 1, mode="edge")
            d = (1 - 2 * a) * d + a * (np.roll(d, 1, 0) + np.roll(d, -1, 0))
            d = (1 - 2 * a) * d + a * (np.roll(d, 1, 1) + np.roll(d, -1, 1))
            d = np.ascontiguousarray(d[1:-1, 1:-1], np.float32)
        return d


S = SS


def _metal(rng):
    return float(rng.uniform(0.7, 1.6))


def _plastic(rng):
    return float(rng.uniform(0.05, 0.3))


def _key_parts(c, x0, y0, L, rng, dens, angle=0.0):
    """Draw a key with its bow centred at (x0, y0) (canvas px, unscaled) pointing along angle; length L."""
    bow_r = L * rng.uniform(0.16, 0.24)
    hole_r = bow_r * rng.uniform(0.2, 0.45)
    blade_w = L * rng.uniform(0.09, 0.14)
    ca, sa = math.cos(angle), math.sin(angle)

    def P(u, v):   # key-local (u along the blade, v across) -> canvas px * SS
        return ((x0 + u * ca - v * sa) * S, (y0 + u * sa + v * ca) * S)

    shape = rng.integers(3)

    def bow(dr):
        if shape == 0:
            dr.ellipse([(x0 - bow_r) * S, (y0 - bow_r) * S, (x0 + bow_r) * S, (y0 + bow_r) * S], fill=255)
        else:
            k = 4 if shape == 1 else 6
            pts = [P(bow_r * math.cos(2 * math.pi * i / k + 0.3), bow_r * math.sin(2 * math.pi * i / k + 0.3))
                   for i in range(k)]
            dr.polygon(pts, fill=255)

    c.add(dens, bow)
    # blade: shoulder then toothed edge
    u0, u1 = bow_r * 0.8, L
    teeth = int(rng.integers(3, 7))

    def blade(dr):
        dr.polygon([P(u0, -blade_w * 0.75), P(u0 + blade_w * 0.6, -blade_w * 0.75), P(u0 + blade_w * 0.6, -blade_w / 2),
                    P(u1 - blade_w * 0.3, -blade_w / 2), P(u1, 0), P(u1 - blade_w * 0.2, blade_w / 2),
                    P(u0 + blade_w * 0.6, blade_w / 2), P(u0 + blade_w * 0.6, blade_w * 0.75), P(u0, blade_w * 0.75)],
                   fill=255)
        # teeth on one side
        span = (u1 - u0 - blade_w) / teeth
        for t in range(teeth):
            ua = u0 + blade_w * 0.8 + t * span
            depth = blade_w * rng.uniform(0.25, 0.7)
            dr.polygon([P(ua, blade_w / 2), P(ua + span * 0.5, blade_w / 2 + depth), P(ua + span, blade_w / 2)], fill=255)

    c.add(dens, blade)
    if rng.random() < 0.5:   # milled groove along the blade (slightly thinner)
        c.add(-dens * 0.3, lambda dr: dr.line([P(u0 + blade_w, 0), P(u1 - blade_w * 0.5, 0)], fill=255,
                                                width=max(1, int(blade_w * 0.25 * S))))
    if rng.random() < 0.35:  # plastic head cover
        c.add(_plastic(rng) * 2, lambda dr: dr.ellipse([(x0 - bow_r * 1.4) * S, (y0 - bow_r * 1.3) * S,
                                                        (x0 + bow_r * 1.4) * S, (y0 + bow_r * 1.3) * S], fill=255))
    c.sub(lambda dr: dr.ellipse([(x0 - hole_r) * S, (y0 - hole_r) * S, (x0 + hole_r) * S, (y0 + hole_r) * S], fill=255))


def key(rng):
    c = Canvas(100, 100)
    _key_parts(c, 22, 50, 74, rng, _metal(rng), angle=rng.uniform(-0.15, 0.15))
    return c


def keyring(rng):
    c = Canvas(200, 200)
    R = rng.uniform(12, 22)
    cx = cy = 100
    dens = _metal(rng)
    w = max(2, int(rng.uniform(1.5, 3.5) * S))
    c.add(dens * 0.8, lambda dr: dr.ellipse([(cx - R) * S, (cy - R) * S, (cx + R) * S, (cy + R) * S], outline=255, width=w))
    n = int(rng.integers(2, 6))
    base = rng.uniform(0, 2 * math.pi)
    for i in range(n):
        a = base + rng.normal(0, 0.5) + i * rng.uniform(0.3, 1.2)
        L = rng.uniform(50, 78)
        bx, by = cx + R * math.cos(a), cy + R * math.sin(a)
        br = L * 0.2
        _key_parts(c, bx + br * 0.6 * math.cos(a), by + br * 0.6 * math.sin(a), L, rng, _metal(rng), angle=a)
    if rng.random() < 0.4:   # fob: plastic or metal tag
        a = base - 1.0
        fx, fy = cx + (R + 18) * math.cos(a), cy + (R + 18) * math.sin(a)
        d = _plastic(rng) * 2 if rng.random() < 0.6 else _metal(rng) * 0.6
        c.add(d, lambda dr: dr.rounded_rectangle([(fx - 14) * S, (fy - 9) * S, (fx + 14) * S, (fy + 9) * S],
                                                 radius=4 * S, fill=255))
    return c


def coin(rng):
    c = Canvas(40, 40)
    dens = rng.uniform(0.6, 1.3)
    c.add(dens, lambda dr: dr.ellipse([1 * S, 1 * S, 39 * S, 39 * S], fill=255))
    c.add(dens * 0.25, lambda dr: dr.ellipse([1 * S, 1 * S, 39 * S, 39 * S], outline=255, width=2 * S))
    if rng.random() < 0.3:   # bimetallic inner disc
        c.add(dens * 0.2, lambda dr: dr.ellipse([10 * S, 10 * S, 30 * S, 30 * S], fill=255))
    return c


def coins(rng):
    c = Canvas(120, 120)
    for _ in range(int(rng.integers(2, 7))):
        r = rng.uniform(8, 14)
        x, y = rng.uniform(15, 105), rng.uniform(15, 105)
        d = rng.uniform(0.6, 1.3)
        c.add(d, lambda dr, x=x, y=y, r=r: dr.ellipse([(x - r) * S, (y - r) * S, (x + r) * S, (y + r) * S], fill=255))
    return c


def buckle(rng):
    c = Canvas(80, 60)
    dens = _metal(rng)
    t = rng.uniform(4, 8)
    if rng.random() < 0.5:
        c.add(dens, lambda dr: dr.rounded_rectangle([2 * S, 2 * S, 78 * S, 58 * S], radius=int(rng.uniform(2, 20) * S),
                                                    outline=255, width=int(t * S)))
    else:
        c.add(dens, lambda dr: dr.ellipse([2 * S, 2 * S, 78 * S, 58 * S], outline=255, width=int(t * S)))
    c.add(dens * 0.8, lambda dr: dr.line([(40 * S, 4 * S), (40 * S, 56 * S)], fill=255, width=int(t * 0.7 * S)))  # bar
    c.add(dens * 0.8, lambda dr: dr.line([(40 * S, 30 * S), (74 * S, 30 * S)], fill=255, width=int(t * 0.5 * S)))  # prong
    if rng.random() < 0.6:   # leather strap (light)
        c.add(_plastic(rng), lambda dr: dr.rectangle([0, 10 * S, 40 * S, 50 * S], fill=255))
    return c


def scissors(rng):
    c = Canvas(140, 70)
    dens = _metal(rng)
    px, py = 70, 35
    op = rng.uniform(0.05, 0.35)
    for sgn in (-1, 1):
        a = sgn * op
        tip = (px + 68 * math.cos(a), py + 68 * math.sin(a) * 1.0)
        c.add(dens, lambda dr, a=a, tip=tip: dr.polygon(
            [((px - 4) * S, (py - 4 * sgn) * S), (tip[0] * S, tip[1] * S), ((px - 4) * S, (py + 4 * sgn) * S)], fill=255))
        hx, hy = px - 40 * math.cos(a), py - 40 * math.sin(a) * 2.2
        hd = _plastic(rng) * 2.5 if rng.random() < 0.6 else dens * 0.7
        c.add(hd, lambda dr, hx=hx, hy=hy: dr.ellipse([(hx - 16) * S, (hy - 11) * S, (hx + 16) * S, (hy + 11) * S],
                                                      outline=255, width=int(rng.uniform(3, 6) * S)))
        c.add(dens, lambda dr, hx=hx, hy=hy: dr.line([(px * S, py * S), ((hx + 10) * S, hy * S)], fill=255, width=5 * S))
    c.add(dens * 0.8, lambda dr: dr.ellipse([(px - 3) * S, (py - 3) * S, (px + 3) * S, (py + 3) * S], fill=255))
    return c


def pliers(rng):
    c = Canvas(150, 60)
    dens = _metal(rng)
    jaw = [(4 * S, 26 * S), (50 * S, 20 * S), (58 * S, 30 * S), (50 * S, 40 * S), (4 * S, 34 * S)]
    c.add(dens * 1.2, lambda dr: dr.polygon(jaw, fill=255))
    c.add(dens * 1.3, lambda dr: dr.ellipse([48 * S, 22 * S, 66 * S, 38 * S], fill=255))   # joint
    op = rng.uniform(0.0, 0.25)
    for sgn in (-1, 1):
        ex, ey = 146, 30 + sgn * (10 + 60 * op)
        c.add(dens, lambda dr, ex=ex, ey=ey: dr.line([(60 * S, 30 * S), (ex * S, ey * S)], fill=255, width=6 * S))
        if rng.random() < 0.7:   # plastic grips
            c.add(_plastic(rng) * 2, lambda dr, ex=ex, ey=ey: dr.line([(90 * S, (30 + (ey - 30) * 0.35) * S),
                                                                       (ex * S, ey * S)], fill=255, width=12 * S))
    return c


def wrench(rng):
    c = Canvas(160, 40)
    dens = _metal(rng)
    c.add(dens, lambda dr: dr.rounded_rectangle([20 * S, 14 * S, 140 * S, 26 * S], radius=5 * S, fill=255))
    # open jaw at one end, ring at the other
    c.add(dens, lambda dr: dr.ellipse([0, 2 * S, 36 * S, 38 * S], fill=255))
    c.sub(lambda dr: dr.polygon([(0, 12 * S), (18 * S, 14 * S), (18 * S, 26 * S), (0, 28 * S)], fill=255))
    c.add(dens, lambda dr: dr.ellipse([128 * S, 4 * S, 160 * S, 36 * S], fill=255))
    c.sub(lambda dr: dr.regular_polygon((144 * S, 20 * S, 8 * S), 6, fill=255))
    return c


def battery(rng):
    kind = rng.integers(3)
    if kind == 0:   # cylindrical cell (AA/AAA/18650): case, dense core rod, cap
        c = Canvas(70, 20)
        c.add(rng.uniform(0.4, 0.8), lambda dr: dr.rounded_rectangle([2 * S, 2 * S, 66 * S, 18 * S], radius=3 * S, fill=255))
        c.add(rng.uniform(0.5, 1.0), lambda dr: dr.rectangle([6 * S, 8 * S, 62 * S, 12 * S], fill=255))
        c.add(rng.uniform(0.5, 1.0), lambda dr: dr.rectangle([66 * S, 7 * S, 69 * S, 13 * S], fill=255))
        c.add(0.3, lambda dr: dr.rectangle([2 * S, 2 * S, 66 * S, 18 * S], outline=255, width=S))
    elif kind == 1:  # 9 V block: six cells inside
        c = Canvas(50, 28)
        c.add(0.35, lambda dr: dr.rectangle([1 * S, 1 * S, 46 * S, 27 * S], fill=255))
        for i in range(3):
            for j in range(2):
                c.add(0.6, lambda dr, i=i, j=j: dr.ellipse([(4 + 14 * i) * S, (3 + 12 * j) * S,
                                                            (15 + 14 * i) * S, (13 + 12 * j) * S], fill=255))
        c.add(0.9, lambda dr: dr.rectangle([46 * S, 6 * S, 50 * S, 11 * S], fill=255))
        c.add(0.9, lambda dr: dr.rectangle([46 * S, 17 * S, 50 * S, 22 * S], fill=255))
    else:            # coin cell
        c = Canvas(24, 24)
        c.add(rng.uniform(0.8, 1.3), lambda dr: dr.ellipse([1 * S, 1 * S, 23 * S, 23 * S], fill=255))
        c.add(0.4, lambda dr: dr.ellipse([5 * S, 5 * S, 19 * S, 19 * S], fill=255))
    return c


def phone(rng):
    """phone / power bank: light casing, battery block, PCB with small dense parts, camera, screws."""
    w, h = rng.uniform(60, 80), rng.uniform(110, 160)
    c = Canvas(w, h)
    c.add(rng.uniform(0.15, 0.35), lambda dr: dr.rounded_rectangle([1 * S, 1 * S, (w - 1) * S, (h - 1) * S],
                                                                   radius=int(8 * S), fill=255))
    c.add(0.2, lambda dr: dr.rounded_rectangle([1 * S, 1 * S, (w - 1) * S, (h - 1) * S], radius=int(8 * S),
                                               outline=255, width=2 * S))
    by = h * rng.uniform(0.35, 0.5)
    if rng.random() < 0.5:    # pouch cell
        c.add(rng.uniform(0.35, 0.7), lambda dr: dr.rectangle([6 * S, by * S, (w - 6) * S, (h - 8) * S], fill=255))
    else:                      # power bank: row of 18650 cells
        n = int(max(2, (w - 8) // 18))
        cw = (w - 8) / n
        for i in range(n):
            c.add(rng.uniform(0.5, 0.9), lambda dr, i=i: dr.rounded_rectangle(
                [(4 + i * cw + 1) * S, by * S, (4 + (i + 1) * cw - 1) * S, (h - 8) * S], radius=3 * S, fill=255))
    c.add(0.25, lambda dr: dr.rectangle([5 * S, 5 * S, (w - 5) * S, (by - 3) * S], fill=255))   # PCB
    for _ in range(int(rng.integers(6, 20))):
        x, y = rng.uniform(8, w - 12), rng.uniform(8, by - 8)
        ww, hh = rng.uniform(2, 10), rng.uniform(2, 8)
        c.add(rng.uniform(0.3, 1.2), lambda dr, x=x, y=y, ww=ww, hh=hh: dr.rectangle([x * S, y * S, (x + ww) * S,
                                                                                       (y + hh) * S], fill=255))
    c.add(0.8, lambda dr: dr.ellipse([8 * S, 8 * S, 18 * S, 18 * S], outline=255, width=2 * S))  # camera
    for sx, sy in ((4, 4), (w - 7, 4), (4, h - 7), (w - 7, h - 7)):
        c.add(1.2, lambda dr, sx=sx, sy=sy: dr.ellipse([sx * S, sy * S, (sx + 3) * S, (sy + 3) * S], fill=255))
    return c


def _path(rng, n, span):
    """smooth random path: list of (x, y) in a span x span box."""
    pts = [np.array([rng.uniform(0.1, 0.3) * span, rng.uniform(0.2, 0.8) * span])]
    ang = rng.uniform(-0.5, 0.5)
    step = span * 0.8 / n
    for _ in range(n):
        ang += rng.normal(0, 0.35)
        pts.append(np.clip(pts[-1] + step * np.array([math.cos(ang), math.sin(ang)]), 2, span - 2))
    return pts


def zip_(rng):
    span = 160
    c = Canvas(span, span)
    pts = _path(rng, 40, span)
    dens = rng.uniform(0.5, 1.1)
    c.add(_plastic(rng), lambda dr: dr.line([tuple(p * S) for p in pts], fill=255, width=int(16 * S)))  # fabric tape
    for k in range(len(pts) - 1):
        p, q = pts[k], pts[k + 1]
        d = q - p
        nrm = np.array([-d[1], d[0]]) / (np.linalg.norm(d) + 1e-6)
        for side in (-1, 1):
            cpt = (p + q) / 2 + side * nrm * 1.8
            c.add(dens, lambda dr, cpt=cpt: dr.rectangle([(cpt[0] - 1.2) * S, (cpt[1] - 1.2) * S,
                                                          (cpt[0] + 1.2) * S, (cpt[1] + 1.2) * S], fill=255))
    if rng.random() < 0.8:   # slider + pull
        p = pts[int(rng.integers(len(pts)))]
        c.add(dens * 1.2, lambda dr: dr.rectangle([(p[0] - 5) * S, (p[1] - 4) * S, (p[0] + 5) * S, (p[1] + 4) * S], fill=255))
        c.add(dens, lambda dr: dr.line([(p[0] * S, p[1] * S), ((p[0] + 12) * S, (p[1] + 4) * S)], fill=255, width=3 * S))
    return c


def cable(rng):
    span = 200
    c = Canvas(span, span)
    pts = _path(rng, 30, span)
    w = rng.uniform(2, 5)
    c.add(_plastic(rng), lambda dr: dr.line([tuple(p * S) for p in pts], fill=255, width=max(1, int(w * S)), joint="curve"))
    c.add(rng.uniform(0.2, 0.6), lambda dr: dr.line([tuple(p * S) for p in pts], fill=255,
                                                  width=max(1, int(w * 0.35 * S)), joint="curve"))   # copper core
    for end in (pts[0], pts[-1]):
        if rng.random() < 0.6:   # connector / plug
            c.add(rng.uniform(0.4, 1.2), lambda dr, e=end: dr.rectangle([(e[0] - 5) * S, (e[1] - 3) * S,
                                                                         (e[0] + 5) * S, (e[1] + 3) * S], fill=255))
    if rng.random() < 0.3:   # charger brick with transformer
        e = pts[-1]
        c.add(0.3, lambda dr: dr.rectangle([(e[0] - 14) * S, (e[1] - 10) * S, (e[0] + 14) * S, (e[1] + 10) * S], fill=255))
        c.add(0.9, lambda dr: dr.rectangle([(e[0] - 5) * S, (e[1] - 5) * S, (e[0] + 5) * S, (e[1] + 5) * S], fill=255))
    return c


# (factory, weight, long side in model px: log-uniform range)
OBJECTS = [
    (key, 0.18, (25, 160)),
    (keyring, 0.14, (50, 260)),
    (coin, 0.06, (10, 45)),
    (coins, 0.05, (40, 120)),
    (buckle, 0.07, (25, 90)),
    (scissors, 0.08, (50, 220)),
    (pliers, 0.07, (50, 220)),
    (wrench, 0.06, (50, 220)),
    (battery, 0.08, (15, 90)),
    (phone, 0.08, (60, 260)),
    (zip_, 0.06, (60, 300)),
    (cable, 0.07, (60, 320)),
]
_W = np.array([o[1] for o in OBJECTS]) / sum(o[1] for o in OBJECTS)


def random_object(rng):
    """returns (name, transmission T float32 in (0,1])."""
    k = int(rng.choice(len(OBJECTS), p=_W))
    fn, _, (lo, hi) = OBJECTS[k]
    c = fn(rng)
    long_side = float(np.exp(rng.uniform(np.log(lo), np.log(hi))))
    d = c.density(long_side, rng)
    return fn.__name__, np.exp(-np.clip(d, 0, 6)).astype(np.float32)


def add_clutter(scene, rng, n):
    """Multiply n random clutter objects into a uint8 scene (placed anywhere, may leave the frame, may overlap guns)."""
    out = scene.astype(np.float32)
    H, W = out.shape
    for _ in range(n):
        _, t = random_object(rng)
        th, tw = t.shape
        px = int(rng.integers(-tw // 3, W - 2 * tw // 3 + 1))
        py = int(rng.integers(-th // 3, H - 2 * th // 3 + 1))
        x0, y0, x1, y1 = max(0, px), max(0, py), min(W, px + tw), min(H, py + th)
        if x1 <= x0 or y1 <= y0:
            continue
        out[y0:y1, x0:x1] *= t[y0 - py:y1 - py, x0 - px:x1 - px]
    return np.clip(out, 0, 255).astype(np.uint8)
