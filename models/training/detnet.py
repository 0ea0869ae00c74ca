"""The armscan detector family (armscan-firearm-v1 and every armscan-threat model): a small anchor-free
(CenterNet/FCOS-style) detector with stride-8 output (40x40 = 1600 candidates per 320x320 frame), one heatmap
channel per class, and what training and export need of it (targets, losses, the dihedral augmentation, BatchNorm
folding, a MAC count).

`DetectorExport` decodes in the graph: detections [N, 1600, 4 + C] = x1, y1, x2, y2 (model-input px), then one
probability per class (the manifest's `xyxy_scores` layout). With C = 1 this is v1's [N, 1600, 5].
"""

import copy

import numpy as np
import torch
import torch.nn as nn

STRIDE = 8
GRID = 320 // STRIDE
REG_UNIT = 16.0


def cbr(cin, cout, k=3, s=1):
    return nn.Sequential(nn.Conv2d(cin, cout, k, s, k // 2, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class Detector(nn.Module):
    def __init__(self, num_classes=1, w=(16, 24, 48, 80, 128), neck=48):
        super().__init__()
        self.num_classes = num_classes
        self.s2 = nn.Sequential(cbr(1, w[0], 3, 2))                                         # 160
        self.s4 = nn.Sequential(cbr(w[0], w[1], 3, 2), cbr(w[1], w[1]))                     # 80
        self.s8 = nn.Sequential(cbr(w[1], w[2], 3, 2), cbr(w[2], w[2]), cbr(w[2], w[2]))    # 40
        self.s16 = nn.Sequential(cbr(w[2], w[3], 3, 2), cbr(w[3], w[3]), cbr(w[3], w[3]))   # 20
        self.s32 = nn.Sequential(cbr(w[3], w[4], 3, 2), cbr(w[4], w[4]), cbr(w[4], w[4]))   # 10
        self.lat32 = cbr(w[4], neck, 1)
        self.lat16 = cbr(w[3], neck, 1)
        self.lat8 = cbr(w[2], neck, 1)
        self.up32 = nn.Sequential(nn.ConvTranspose2d(neck, neck, 2, 2, bias=False), nn.BatchNorm2d(neck), nn.ReLU(True))
        self.up16 = nn.Sequential(nn.ConvTranspose2d(neck, neck, 2, 2, bias=False), nn.BatchNorm2d(neck), nn.ReLU(True))
        self.fuse16 = cbr(neck, neck)
        self.fuse8 = cbr(neck, neck)
        self.head_hm = nn.Sequential(cbr(neck, neck), nn.Conv2d(neck, num_classes, 1))
        self.head_reg = nn.Sequential(cbr(neck, neck), nn.Conv2d(neck, 4, 1))
        nn.init.constant_(self.head_hm[-1].bias, -4.6)   # prior 0.01
        nn.init.zeros_(self.head_reg[-1].weight)
        nn.init.constant_(self.head_reg[-1].bias, 1.0)

    def forward(self, x):
        """x: [N,1,320,320] in [0,1], bright = empty. Returns heatmap logits [N,C,40,40], log-ltrb [N,4,40,40]."""
        x = 1.0 - x                      # internally dense = high (padding 1.0 -> 0)
        c8 = self.s8(self.s4(self.s2(x)))
        c16 = self.s16(c8)
        c32 = self.s32(c16)
        p16 = self.fuse16(self.lat16(c16) + self.up32(self.lat32(c32)))
        p8 = self.fuse8(self.lat8(c8) + self.up16(p16))
        return self.head_hm(p8), self.head_reg(p8)


def grid_centres():
    ys, xs = torch.meshgrid(torch.arange(GRID, dtype=torch.float32), torch.arange(GRID, dtype=torch.float32),
                            indexing="ij")
    return (xs.reshape(-1) + 0.5) * STRIDE, (ys.reshape(-1) + 0.5) * STRIDE


def decode(hm, reg):
    """hm [N,C,G,G] logits, reg [N,4,G,G] -> boxes [N,G*G,4] xyxy (model-input px), scores [N,G*G,C]."""
    n = hm.shape[0]
    cx, cy = grid_centres()
    cx, cy = cx.to(hm.device), cy.to(hm.device)
    d = torch.exp(reg.clamp(max=4.0)).reshape(n, 4, -1) * REG_UNIT
    boxes = torch.stack([cx - d[:, 0], cy - d[:, 1], cx + d[:, 2], cy + d[:, 3]], dim=2)
    return boxes, torch.sigmoid(hm.reshape(n, hm.shape[1], -1)).transpose(1, 2)


class DetectorExport(nn.Module):
    """Graph used for ONNX: input `images` [N,1,320,320] -> `detections` [N,1600,4+C]."""

    def __init__(self, net):
        super().__init__()
        self.net = net
        self.c = net.num_classes
        cx, cy = grid_centres()
        self.register_buffer("cxy", torch.stack([cx, cy, cx, cy], 0).reshape(1, 4, -1))
        self.register_buffer("sign", torch.tensor([-1.0, -1.0, 1.0, 1.0]).reshape(1, 4, 1) * REG_UNIT)

    def forward(self, images):
        hm, reg = self.net(images)
        reg = reg.reshape(-1, 4, GRID * GRID)
        boxes = self.cxy + torch.exp(reg) * self.sign
        score = torch.sigmoid(hm.reshape(-1, self.c, GRID * GRID))
        return torch.cat([boxes, score], 1).transpose(1, 2)


def fold_bn(net):
    """Fold every BatchNorm into the preceding Conv/ConvTranspose (eval mode) and replace it with Identity."""
    net = copy.deepcopy(net).eval()

    def fold(seq):
        mods = list(seq._modules.items())
        for (n1, m1), (n2, m2) in zip(mods, mods[1:]):
            if isinstance(m2, nn.BatchNorm2d) and isinstance(m1, (nn.Conv2d, nn.ConvTranspose2d)):
                std = torch.sqrt(m2.running_var + m2.eps)
                g = m2.weight / std
                w = m1.weight.data
                if isinstance(m1, nn.Conv2d):
                    m1.weight.data = w * g.reshape(-1, 1, 1, 1)
                else:
                    m1.weight.data = w * g.reshape(1, -1, 1, 1)
                b = m1.bias.data if m1.bias is not None else torch.zeros_like(m2.running_mean)
                m1.bias = nn.Parameter((b - m2.running_mean) * g + m2.bias)
                seq._modules[n2] = nn.Identity()
        for m in seq.children():
            fold(m)

    fold(net)
    return net


def count_macs(net, size=320):
    macs = [0]

    def hook(m, inp, out):
        if isinstance(m, nn.Conv2d):
            macs[0] += out.numel() * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]
        elif isinstance(m, nn.ConvTranspose2d):
            macs[0] += inp[0].numel() * m.out_channels * m.kernel_size[0] * m.kernel_size[1]

    hs = [m.register_forward_hook(hook) for m in net.modules() if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d))]
    with torch.no_grad():
        net(torch.ones(1, 1, size, size))
    for h in hs:
        h.remove()
    return macs[0]


def make_targets(boxes_list, labels_list, num_classes):
    """CenterNet gaussian heatmaps [B,C,G,G], regression targets [B,G*G,4] (xyxy), regression weights [B,G*G]."""
    bsz = len(boxes_list)
    hm = np.zeros((bsz, num_classes, GRID, GRID), np.float32)
    tgt = np.zeros((bsz, GRID * GRID, 4), np.float32)
    wreg = np.zeros((bsz, GRID, GRID), np.float32)
    cc = (np.arange(GRID, dtype=np.float32) + 0.5) * STRIDE
    for i, (boxes, labels) in enumerate(zip(boxes_list, labels_list)):
        order = np.argsort(-(boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])) if len(boxes) else []
        for k in order:      # smaller boxes last: they win the regression target where boxes overlap
            x1, y1, x2, y2 = boxes[k]
            w, h = x2 - x1, y2 - y1
            cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
            sx, sy = max(0.6, w / STRIDE / 6), max(0.6, h / STRIDE / 6)
            g = np.exp(-((cc[None, :] - cx) / STRIDE) ** 2 / (2 * sx * sx) - ((cc[:, None] - cy) / STRIDE) ** 2 / (2 * sy * sy))
            ix, iy = min(GRID - 1, int(cx // STRIDE)), min(GRID - 1, int(cy // STRIDE))
            g[iy, ix] = 1.0
            c = labels[k]
            hm[i, c] = np.maximum(hm[i, c], g)
            inside = (cc[None, :] > x1) & (cc[None, :] < x2) & (cc[:, None] > y1) & (cc[:, None] < y2)
            pos = (g >= 0.3) & inside
            pos[iy, ix] = True
            wreg[i][pos] = g[pos]
            tgt[i].reshape(GRID, GRID, 4)[pos] = [x1, y1, x2, y2]
    return hm, tgt, wreg.reshape(bsz, -1)


def focal_loss(logits, hm):
    p = torch.sigmoid(logits).clamp(1e-4, 1 - 1e-4)
    pos = hm.eq(1).float()
    pos_l = -torch.log(p) * (1 - p) ** 2 * pos
    neg_l = -torch.log(1 - p) * p ** 2 * (1 - hm) ** 4 * (1 - pos)
    return (pos_l.sum() + neg_l.sum()) / pos.sum().clamp(min=1.0)


def giou_loss(pred, tgt, w):
    x1 = torch.max(pred[..., 0], tgt[..., 0]); y1 = torch.max(pred[..., 1], tgt[..., 1])
    x2 = torch.min(pred[..., 2], tgt[..., 2]); y2 = torch.min(pred[..., 3], tgt[..., 3])
    inter = (x2 - x1).clamp(min=0) * (y2 - y1).clamp(min=0)
    ap = (pred[..., 2] - pred[..., 0]) * (pred[..., 3] - pred[..., 1])
    at = (tgt[..., 2] - tgt[..., 0]) * (tgt[..., 3] - tgt[..., 1])
    union = ap + at - inter + 1e-6
    ex1 = torch.min(pred[..., 0], tgt[..., 0]); ey1 = torch.min(pred[..., 1], tgt[..., 1])
    ex2 = torch.max(pred[..., 2], tgt[..., 2]); ey2 = torch.max(pred[..., 3], tgt[..., 3])
    enc = (ex2 - ex1) * (ey2 - ey1) + 1e-6
    giou = inter / union - (enc - union) / enc
    return ((1 - giou) * w).sum() / w.sum().clamp(min=1e-3)


def augment(img, boxes, rng):
    """Dihedral flips/transposes that keep labels exact."""
    s = img.shape[0]
    b = boxes.copy()
    if rng.random() < 0.5:
        img = img[:, ::-1]
        b[:, [0, 2]] = s - b[:, [2, 0]]
    if rng.random() < 0.5:
        img = img[::-1, :]
        b[:, [1, 3]] = s - b[:, [3, 1]]
    if rng.random() < 0.5:
        img = img.T
        b = b[:, [1, 0, 3, 2]]
    return np.ascontiguousarray(img), b


def train_step(net, opt, x, boxes_list, labels_list, reg_weight=2.0, clip=10.0):
    """One optimiser step on a batch: CenterNet targets, focal + reg_weight x GIoU loss, clipped gradients.
    Returns (loss, heatmap loss, GIoU loss) as floats."""
    hm_t, tgt, wreg = (torch.from_numpy(a).to(x.device, non_blocking=True)
                       for a in make_targets(boxes_list, labels_list, net.num_classes))
    hm, reg = net(x)
    boxes, _ = decode(hm, reg)
    lh = focal_loss(hm, hm_t)
    lr_ = giou_loss(boxes, tgt, wreg)
    loss = lh + reg_weight * lr_
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(net.parameters(), clip)
    opt.step()
    return loss.item(), lh.item(), lr_.item()


def load_and_export(net, ckpt, out):
    """Loads `ckpt`'s weights into `net`, folds BatchNorm and writes ONNX (opset 17, input `images` [N,1,320,320],
    output `detections`, dynamic batch). Returns (net in eval mode, the exported folded graph, the checkpoint)."""
    torch.manual_seed(0)
    st = torch.load(ckpt, map_location="cpu", weights_only=False)
    net.load_state_dict(st["model"])
    net.eval()
    exp = DetectorExport(fold_bn(net)).eval()
    torch.onnx.export(exp, (torch.ones(1, 1, 320, 320),), out, opset_version=17, input_names=["images"],
                      output_names=["detections"], dynamic_axes={"images": {0: "N"}, "detections": {0: "N"}},
                      do_constant_folding=True, dynamo=False)
    return net, exp, st


def init_from_folded_onnx(net, onnx_path, grow_from=None):
    """Initialises `net` (the training graph, with BatchNorm) from an ONNX file that `load_and_export` wrote for the
    same architecture, so a shipped model can be trained further when its checkpoint is gone.

    Each Conv/ConvTranspose takes its folded weight; the BatchNorm after it becomes the identity plus the folded bias
    (weight 1, running mean 0, running variance 1 - eps, bias = folded bias), which is exact in eval mode. Train such
    a net with its BatchNorms frozen (`freeze_bn`): batch statistics would undo the fold. Returns the number of
    convolutions loaded. `grow_from`: when the net has more classes than the ONNX file, the new classes' heatmap
    channels start as copies of this class's channel (models that add a class to a shipped one)."""
    import onnx
    from onnx import numpy_helper

    m = onnx.load(onnx_path)
    inits = {t.name: numpy_helper.to_array(t) for t in m.graph.initializer}
    for n in m.graph.node:   # constants that the exporter left as nodes
        if n.op_type == "Constant":
            for a in n.attribute:
                if a.name == "value":
                    inits[n.output[0]] = numpy_helper.to_array(a.t)
    onnx_convs = [n for n in m.graph.node if n.op_type in ("Conv", "ConvTranspose")]
    order, bn_after = [], {}
    for seq in net.modules():
        kids = list(seq.children())
        for a, b in zip(kids, kids[1:]):
            if isinstance(a, (nn.Conv2d, nn.ConvTranspose2d)) and isinstance(b, nn.BatchNorm2d):
                bn_after[a] = b
    hooks = [mod.register_forward_hook(lambda mod, i, o: order.append(mod)) for mod in net.modules()
             if isinstance(mod, (nn.Conv2d, nn.ConvTranspose2d))]
    was_training = net.training
    net.eval()
    with torch.no_grad():
        net(torch.ones(1, 1, 320, 320))
    for h in hooks:
        h.remove()
    if len(order) != len(onnx_convs):
        raise ValueError(f"{onnx_path}: {len(onnx_convs)} convolutions, the net has {len(order)}")
    with torch.no_grad():
        for mod, node in zip(order, onnx_convs):
            if (node.op_type == "ConvTranspose") != isinstance(mod, nn.ConvTranspose2d):
                raise ValueError(f"{onnx_path}: node {node.name} is {node.op_type}, the net has {type(mod).__name__}")
            w = torch.from_numpy(inits[node.input[1]].copy())
            b = torch.from_numpy(inits[node.input[2]].copy()) if len(node.input) > 2 else torch.zeros(w.shape[0])
            if (mod is net.head_hm[-1] and grow_from is not None and w.shape[0] < mod.weight.shape[0]
                    and tuple(w.shape[1:]) == tuple(mod.weight.shape[1:])):
                # a class added to the model: its heatmap channel starts as a copy of class `grow_from`'s
                extra = mod.weight.shape[0] - w.shape[0]
                w = torch.cat([w, w[grow_from:grow_from + 1].repeat(extra, 1, 1, 1)])
                b = torch.cat([b, b[grow_from:grow_from + 1].repeat(extra)])
            if tuple(w.shape) != tuple(mod.weight.shape):
                raise ValueError(f"{onnx_path}: node {node.name} weight {tuple(w.shape)}, net {tuple(mod.weight.shape)}")
            mod.weight.copy_(w)
            bn = bn_after.get(mod)
            if bn is not None:
                bn.weight.fill_(1.0)
                bn.bias.copy_(b)
                bn.running_mean.zero_()
                bn.running_var.fill_(1.0 - bn.eps)
            else:
                mod.bias.copy_(b)
    net.train(was_training)
    return len(order)


def freeze_bn(net):
    """Puts every BatchNorm in eval mode (running statistics fixed; its affine weights still train)."""
    for mod in net.modules():
        if isinstance(mod, nn.BatchNorm2d):
            mod.eval()
