#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use armscan_core::taxonomy::{known_category, KNOWN_FINE_CLASSES};
use armscan_synth::tip::{attenuation_mask, mask_extent};
use armscan_synth::VISIBLE_THRESHOLD;
use armscan_synth::{generate, render_scene, render_scene_with, SynthOptions, TipSources};

fn small() -> SynthOptions {
    SynthOptions::default()
        .with_count(5)
        .with_seed(42)
        .with_size(320, 256)
        .with_pixel_spacing_mm(2.5)
        .with_clean_fraction(0.2)
        .with_contact_sheet(4)
}

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(
                    p.strip_prefix(dir).unwrap().display().to_string(),
                    fs::read(&p).unwrap(),
                );
            }
        }
    }
    out
}

#[test]
fn same_seed_gives_identical_bytes_and_another_seed_does_not() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let c = tempfile::tempdir().unwrap();
    let sa = generate(&small(), a.path(), |_| {}).unwrap();
    let sb = generate(&small(), b.path(), |_| {}).unwrap();
    generate(&small().with_seed(43), c.path(), |_| {}).unwrap();
    assert_eq!(sa.scenes, 5);
    assert_eq!(sa.threats, sb.threats);
    let (fa, fb, fc) = (files(a.path()), files(b.path()), files(c.path()));
    // 4 images and 1 label per scene, annotations, classes, contact sheet
    assert_eq!(fa.len(), 5 * 5 + 3, "{:?}", fa.keys().collect::<Vec<_>>());
    assert_eq!(fa.keys().collect::<Vec<_>>(), fb.keys().collect::<Vec<_>>());
    for (k, v) in &fa {
        assert!(
            fb[k] == *v,
            "{k} differs between two runs with the same seed"
        );
    }
    assert!(fa["images/000000_high.png"] != fc["images/000000_high.png"]);
    // 16-bit planes decode as 16-bit grey of the right size
    let img = image::open(a.path().join("images/000001_low.png")).unwrap();
    assert_eq!(img.color(), image::ColorType::L16);
    assert_eq!((img.width(), img.height()), (320, 256));
    let img = image::open(a.path().join("images/000001_colour.png")).unwrap();
    assert_eq!(img.color(), image::ColorType::Rgb8);
}

#[test]
fn render_scene_is_render_scene_with_no_sources() {
    let opts = small().with_max_threats(3);
    let other_seed = small().with_seed(9);
    for i in 0..4 {
        let plain = render_scene(&opts, i);
        let with = render_scene_with(&opts, &TipSources::default(), i).unwrap();
        assert_eq!(plain.threats, with.threats, "scene {i}");
        assert_eq!(plain.container, with.container, "scene {i}");
        assert!(
            plain.measured.high == with.measured.high && plain.measured.low == with.measured.low,
            "scene {i}"
        );
        let other = render_scene(&other_seed, i);
        assert!(
            other.measured.high != plain.measured.high,
            "scene {i}: another seed, another scene"
        );
    }
}

#[test]
fn boxes_are_tight_round_each_threats_visible_pixels() {
    let opts = SynthOptions::default()
        .with_size(400, 320)
        .with_pixel_spacing_mm(2.0)
        .with_clean_fraction(0.0)
        .with_max_threats(1);
    let mut checked = 0;
    for i in 0..12 {
        let scene = render_scene(&opts, i);
        let again = render_scene(&opts, i);
        assert_eq!(scene.threats, again.threats, "render is deterministic");
        if scene.threats.len() != 1 {
            continue;
        }
        let a = &scene.threats[0];
        // recover the threat's own transmission: render the same scene with clean_fraction 1
        // (same background, no threat) and divide
        let clean = render_scene(&opts.clone().with_clean_fraction(1.0), i);
        let mut threat = scene.ideal.clone();
        for k in 0..threat.high.len() {
            threat.high[k] = (scene.ideal.high[k] / clean.ideal.high[k].max(1e-30)).min(1.0);
            threat.low[k] = (scene.ideal.low[k] / clean.ideal.low[k].max(1e-30)).min(1.0);
        }
        let mask = attenuation_mask(&threat, VISIBLE_THRESHOLD + 1e-3);
        let loose = attenuation_mask(&threat, VISIBLE_THRESHOLD - 1e-3);
        let e_tight = mask_extent(&mask, threat.width).unwrap();
        let e_loose = mask_extent(&loose, threat.width).unwrap();
        let ext = a.extent.map(|v| v as usize);
        for k in 0..4 {
            // within 1 px of the extent of the threat's attenuation mask
            let lo = e_tight[k].min(e_loose[k]);
            let hi = e_tight[k].max(e_loose[k]);
            assert!(
                ext[k] + 1 >= lo && ext[k] <= hi + 1,
                "scene {i} {}: box {ext:?}, mask {e_tight:?}/{e_loose:?}",
                a.variant
            );
        }
        // every box edge touches the mask (tight), and the box holds every masked pixel
        let inside = loose.iter().enumerate().filter(|(_, m)| **m).all(|(p, _)| {
            let (x, y) = (p % threat.width, p / threat.width);
            x + 1 >= ext[0] && x <= ext[2] + 1 && y + 1 >= ext[1] && y <= ext[3] + 1
        });
        assert!(inside, "scene {i}: masked pixel outside the box");
        assert!(a.area > 0 && (a.area as usize) <= (ext[2] - ext[0] + 1) * (ext[3] - ext[1] + 1));
        assert!((0.0..=1.0).contains(&a.occluded_fraction));
        assert!((0.0..=1.0).contains(&a.clutter_density));
        assert!((0.0..360.0).contains(&a.pose_deg));
        checked += 1;
    }
    assert!(checked >= 8, "only {checked} scenes had exactly one threat");
}

#[test]
fn coco_parses_and_categories_carry_the_protocol_category() {
    let dir = tempfile::tempdir().unwrap();
    let summary = generate(
        &small().with_count(6).with_clean_fraction(0.0),
        dir.path(),
        |_| {},
    )
    .unwrap();
    let v: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.path().join("annotations.json")).unwrap()).unwrap();
    let cats = v["categories"].as_array().unwrap();
    assert_eq!(cats.len(), KNOWN_FINE_CLASSES.len());
    let mut by_id = BTreeMap::new();
    for c in cats {
        let name = c["name"].as_str().unwrap();
        let sup = c["supercategory"].as_str().unwrap();
        assert_eq!(
            known_category(name).map(|k| k.as_str()),
            Some(sup),
            "{name}"
        );
        assert!(["firearm", "part", "ammunition", "accessory"].contains(&sup));
        by_id.insert(c["id"].as_u64().unwrap(), name.to_owned());
    }
    let images = v["images"].as_array().unwrap();
    assert_eq!(images.len(), 6);
    let anns = v["annotations"].as_array().unwrap();
    assert_eq!(anns.len(), summary.threats);
    assert!(!anns.is_empty());
    for a in anns {
        let id = a["category_id"].as_u64().unwrap();
        assert!(by_id.contains_key(&id));
        let b: Vec<f64> = a["bbox"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect();
        assert!(b[0] >= 0.0 && b[1] >= 0.0 && b[2] >= 1.0 && b[3] >= 1.0);
        assert!(b[0] + b[2] <= 320.0 && b[1] + b[3] <= 256.0, "{b:?}");
        assert!(
            a["occluded_fraction"].is_number()
                && a["clutter_density"].is_number()
                && a["pose_deg"].is_number()
        );
    }
    // YOLO labels agree with COCO
    let mut lines = 0;
    for (i, _) in images.iter().enumerate() {
        let t = fs::read_to_string(dir.path().join(format!("labels/{i:06}.txt"))).unwrap();
        for l in t.lines() {
            let f: Vec<f64> = l.split(' ').map(|x| x.parse().unwrap()).collect();
            assert_eq!(f.len(), 5);
            assert!(f[1..].iter().all(|x| (0.0..=1.0).contains(x)));
            lines += 1;
        }
    }
    assert_eq!(lines, anns.len());
    assert!(dir.path().join("contact_sheet.png").exists());
}

#[test]
fn bad_options_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    for o in [
        SynthOptions::default().with_size(10, 10),
        SynthOptions::default().with_pixel_spacing_mm(0.0),
        SynthOptions::default().with_clean_fraction(1.5),
        SynthOptions::default().with_max_threats(0),
        SynthOptions::default().with_dose(f32::NAN),
        SynthOptions::default().with_light_frame_fraction(1.5),
        SynthOptions::default().with_silencer_fraction(-0.1),
        SynthOptions::default()
            .with_light_frame_fraction(0.6)
            .with_silencer_fraction(0.6),
    ] {
        assert!(generate(&o, dir.path(), |_| {}).is_err(), "{o:?}");
    }
}

#[test]
fn the_mix_and_held_out_variants_are_obeyed() {
    use armscan_synth::ThreatMix;
    let dir = tempfile::tempdir().unwrap();
    let held_out = vec![
        "pistol_polymer_9mm".to_owned(),
        "revolver_snub_38".to_owned(),
        "smg_9mm".to_owned(),
    ];
    let opts = small()
        .with_count(12)
        .with_clean_fraction(0.0)
        .with_mix(ThreatMix::new(1.0, 0.0, 0.0))
        .with_exclude_variants(held_out.clone())
        .with_planes(vec![armscan_synth::Plane::Grey]);
    let summary = generate(&opts, dir.path(), |_| {}).unwrap();
    assert!(summary.threats >= 12, "{summary:?}");
    let coco: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.path().join("annotations.json")).unwrap()).unwrap();
    let cats: BTreeMap<u64, String> = coco["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_u64().unwrap(),
                c["supercategory"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    for a in coco["annotations"].as_array().unwrap() {
        assert_eq!(cats[&a["category_id"].as_u64().unwrap()], "firearm", "{a}");
        let v = a["variant"].as_str().unwrap();
        assert!(
            !held_out.iter().any(|h| h == v),
            "held-out variant {v} drawn"
        );
    }
    // only the grey plane is written, and the COCO images name no other plane
    let written = files(dir.path());
    assert!(written.keys().any(|k| k.ends_with("_grey.png")));
    assert!(!written.keys().any(|k| k.ends_with("_high.png")
        || k.ends_with("_low.png")
        || k.ends_with("_colour.png")));
    assert!(coco["images"][0].get("high").is_none() && coco["images"][0].get("colour").is_none());
    // bad options are errors
    assert!(generate(
        &small().with_exclude_variants(vec!["no_such_gun".into()]),
        dir.path(),
        |_| {}
    )
    .is_err());
    assert!(generate(
        &small().with_mix(ThreatMix::new(0.0, 0.0, 0.0)),
        dir.path(),
        |_| {}
    )
    .is_err());
    assert!(ThreatMix::parse("firearm=1,part=2").is_ok());
    assert!(ThreatMix::parse("knife=1").is_err());
}

#[test]
fn real_crops_and_real_bags_are_projected_with_tight_boxes() {
    use armscan_synth::{generate_with, CocoSelection, TipSources};
    // a 'real' scan set made here: a dark L-shaped gun on an empty belt, and a bag with clutter
    let src = tempfile::tempdir().unwrap();
    let mut gun = image::GrayImage::from_pixel(220, 160, image::Luma([235]));
    for y in 40..120 {
        for x in 40..180 {
            if y < 70 || x < 75 {
                gun.put_pixel(x, y, image::Luma([30]));
            }
        }
    }
    gun.save(src.path().join("gun.png")).unwrap();
    let mut bag = image::GrayImage::from_pixel(900, 700, image::Luma([245]));
    for y in 100..600 {
        for x in 100..800 {
            bag.put_pixel(
                x,
                y,
                image::Luma([160 + ((x / 50 + y / 70) % 3) as u8 * 20]),
            );
        }
    }
    bag.save(src.path().join("bag.png")).unwrap();
    let coco = concat!(
        r#"{"images": [{"id": 1, "file_name": "gun.png", "kind": "threat"}, "#,
        r#"{"id": 2, "file_name": "bag.png", "kind": "bag"}],
        "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [40, 40, 140, 80]}],
        "categories": [{"id": 1, "name": "firearm", "supercategory": "threat"}]}"#
    );
    let ann = src.path().join("annotations.json");
    fs::write(&ann, coco).unwrap();
    let threats = CocoSelection::new(&ann, 0.5).with_filter("kind", vec!["threat".into()]);
    let bags = CocoSelection::new(&ann, 0.5).with_filter("kind", vec!["bag".into()]);
    let sources = TipSources::load(Some(&threats), Some(&bags), 1.0).unwrap();
    let opts = small()
        .with_count(10)
        .with_pixel_spacing_mm(1.0)
        .with_clean_fraction(0.0)
        .with_mix(armscan_synth::ThreatMix::new(1.0, 0.0, 0.0))
        .with_real_threat_fraction(1.0)
        .with_real_bag_fraction(0.5);
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    generate_with(&opts, &sources, a.path(), |_| {}).unwrap();
    generate_with(&opts, &sources, b.path(), |_| {}).unwrap();
    let (fa, fb) = (files(a.path()), files(b.path()));
    assert!(
        fa == fb,
        "the same seed and sources must give the same bytes"
    );
    let coco: serde_json::Value = serde_json::from_slice(&fa["annotations.json"]).unwrap();
    let images = coco["images"].as_array().unwrap();
    let on_real_bag: Vec<&serde_json::Value> = images
        .iter()
        .filter(|i| i["container"] == "real_bag")
        .collect();
    assert!(
        !on_real_bag.is_empty() && on_real_bag.len() < images.len(),
        "{} of {}",
        on_real_bag.len(),
        images.len()
    );
    for im in &on_real_bag {
        // the 900x700 bag at 0.5 mm/px becomes 450x350 at 1 mm/px
        assert_eq!(
            (im["width"].as_u64(), im["height"].as_u64()),
            (Some(450), Some(350))
        );
    }
    let anns = coco["annotations"].as_array().unwrap();
    assert!(!anns.is_empty());
    for an in anns {
        assert!(
            an["variant"].as_str().unwrap().starts_with("real:gun.png#"),
            "{an}"
        );
        // the gun is 140 x 80 source px = 70 x 40 mm; rotated, each side of its box lies between
        // 40 and hypot(70, 40) = 81 mm, times the scale jitter (0.92..1.08), plus a pixel of blur
        let (w, h) = (
            an["bbox"][2].as_f64().unwrap(),
            an["bbox"][3].as_f64().unwrap(),
        );
        assert!(
            (36.0..=89.0).contains(&w) && (36.0..=89.0).contains(&h),
            "{w}x{h}"
        );
    }
}

#[test]
fn light_frames_replace_the_asked_share_of_parts_and_leave_other_sets_unchanged() {
    use armscan_synth::ThreatMix;
    let variants = |opts: &SynthOptions| -> (Vec<String>, String) {
        let dir = tempfile::tempdir().unwrap();
        generate(opts, dir.path(), |_| {}).unwrap();
        let text = fs::read_to_string(dir.path().join("annotations.json")).unwrap();
        let coco: serde_json::Value = serde_json::from_str(&text).unwrap();
        let v = coco["annotations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["variant"].as_str().unwrap().to_owned())
            .collect();
        (v, text)
    };
    let parts = small()
        .with_count(10)
        .with_clean_fraction(0.0)
        .with_mix(ThreatMix::new(0.0, 1.0, 0.0))
        .with_planes(vec![armscan_synth::Plane::Grey]);
    let (plain, plain_text) = variants(&parts);
    let (zero, zero_text) = variants(&parts.clone().with_light_frame_fraction(0.0));
    assert_eq!(
        plain_text, zero_text,
        "a zero share changes nothing, not even the info block"
    );
    assert!(
        !plain_text.contains("light_frame"),
        "the option is not written when off"
    );
    assert!(plain.iter().all(|v| v != "light_frame_family") && zero == plain);
    let (all, text) = variants(&parts.clone().with_light_frame_fraction(1.0));
    assert!(
        !all.is_empty() && all.iter().all(|v| v == "light_frame_family"),
        "{all:?}"
    );
    assert!(
        text.contains("\"light_frame_fraction\": 1.0")
            || text.contains("\"light_frame_fraction\":1.0"),
        "the share is recorded"
    );
    let (half, _) = variants(&parts.clone().with_count(20).with_light_frame_fraction(0.5));
    let light = half.iter().filter(|v| *v == "light_frame_family").count();
    assert!(light > 0 && light < half.len(), "{light} of {}", half.len());
    // firearms and ammunition are never replaced, and a held-out family is never drawn
    let (guns, _) = variants(
        &small()
            .with_clean_fraction(0.0)
            .with_mix(ThreatMix::new(1.0, 0.0, 1.0))
            .with_light_frame_fraction(1.0),
    );
    assert!(guns.iter().all(|v| v != "light_frame_family"), "{guns:?}");
    let (held, _) = variants(
        &parts
            .with_light_frame_fraction(1.0)
            .with_exclude_variants(vec!["light_frame_family".into()]),
    );
    assert!(
        !held.is_empty() && held.iter().all(|v| v != "light_frame_family"),
        "{held:?}"
    );
}

#[test]
fn silencers_are_parts_and_magazines_are_accessories_in_the_labels() {
    use armscan_synth::ThreatMix;
    // (variant, category name, supercategory) of every annotation, and annotations.json's text
    let labelled = |opts: &SynthOptions| -> (Vec<(String, String, String)>, String) {
        let dir = tempfile::tempdir().unwrap();
        generate(opts, dir.path(), |_| {}).unwrap();
        let text = fs::read_to_string(dir.path().join("annotations.json")).unwrap();
        let coco: serde_json::Value = serde_json::from_str(&text).unwrap();
        let cats: BTreeMap<u64, (String, String)> = coco["categories"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["id"].as_u64().unwrap(),
                    (
                        c["name"].as_str().unwrap().to_owned(),
                        c["supercategory"].as_str().unwrap().to_owned(),
                    ),
                )
            })
            .collect();
        // YOLO's classes.txt lists the same classes in id order
        let classes = fs::read_to_string(dir.path().join("classes.txt")).unwrap();
        let names: Vec<&str> = cats.values().map(|(n, _)| n.as_str()).collect();
        assert_eq!(classes.lines().collect::<Vec<_>>(), names);
        let anns = coco["annotations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                let (name, sup) = cats[&a["category_id"].as_u64().unwrap()].clone();
                (a["variant"].as_str().unwrap().to_owned(), name, sup)
            })
            .collect();
        (anns, text)
    };
    let parts = small()
        .with_count(8)
        .with_clean_fraction(0.0)
        .with_mix(ThreatMix::new(0.0, 1.0, 0.0))
        .with_planes(vec![armscan_synth::Plane::Grey]);

    // every part drawn is a silencer, labelled `silencer` under `part`
    let (all, text) = labelled(&parts.clone().with_silencer_fraction(1.0));
    assert!(!all.is_empty());
    for (variant, name, sup) in &all {
        assert!(variant.starts_with("silencer_"), "{variant}");
        assert_eq!((name.as_str(), sup.as_str()), ("silencer", "part"));
    }
    assert!(
        text.contains("\"silencer_fraction\":1.0") || text.contains("\"silencer_fraction\": 1.0"),
        "the share is recorded"
    );

    // without the option the part share draws fixed parts and accessories: magazines and the
    // trigger group under `accessory`, the Protocol parts under `part`, never a silencer
    let (plain, plain_text) = labelled(&parts.clone().with_count(16));
    let (zero, zero_text) = labelled(&parts.clone().with_count(16).with_silencer_fraction(0.0));
    assert_eq!(plain_text, zero_text, "a zero share changes nothing");
    assert!(!plain_text.contains("silencer_fraction") && zero == plain);
    let mut accessories = 0;
    for (variant, name, sup) in &plain {
        assert!(!variant.starts_with("silencer"), "{variant}");
        let want = if variant.starts_with("magazine_") || variant.starts_with("trigger_group") {
            accessories += 1;
            "accessory"
        } else {
            "part"
        };
        assert_eq!(sup, want, "{variant} ({name})");
        assert_eq!(known_category(name).map(|c| c.as_str()), Some(want));
    }
    assert!(
        plain.iter().any(|(_, n, _)| n == "magazine"),
        "no magazine in {} parts: {plain:?}",
        plain.len()
    );
    assert!(accessories < plain.len(), "{plain:?}");
}

#[test]
fn another_palette_repaints_only_the_colour_plane() {
    use armscan_core::colour::Palette;
    let made = |palette: Palette| {
        let dir = tempfile::tempdir().unwrap();
        generate(
            &small().with_count(3).with_palette(palette),
            dir.path(),
            |_| {},
        )
        .unwrap();
        files(dir.path())
    };
    let (own, amber) = (made(Palette::ARMSCAN), made(Palette::AMBER));
    assert_eq!(
        own.keys().collect::<Vec<_>>(),
        amber.keys().collect::<Vec<_>>()
    );
    let mut repainted = 0;
    for (name, bytes) in &own {
        if name.ends_with("_colour.png") {
            assert_ne!(bytes, &amber[name], "{name} is repainted");
            repainted += 1;
        } else if name.ends_with(".png") && !name.contains("contact_sheet") {
            assert_eq!(bytes, &amber[name], "{name} is the same scene");
        }
    }
    assert_eq!(repainted, 3);
    // the palette is named in the options a data set records, unless it is armscan's own
    let info = |files: &BTreeMap<String, Vec<u8>>| {
        let coco: serde_json::Value = serde_json::from_slice(&files["annotations.json"]).unwrap();
        coco["info"]["options"]["palette"].clone()
    };
    assert_eq!(info(&amber), "amber");
    assert!(info(&own).is_null());
}
