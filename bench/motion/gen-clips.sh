#!/bin/bash
# Clips for the Motion comparison (bench/run-motion.sh): the same scenes at
# several sizes, Y4M (4:2:0, 10 fps, 15 s) with ground truth, made with
# ffmpeg lavfi sources. Every coordinate, size and speed is written for a
# 320x180 frame and multiplied by WIDTH/320, so a scene covers the same part
# of the frame at every size and area thresholds in % mean the same thing.
#
# Each clip NAME gets NAME.y4m and NAME.truth: one "START END" line (seconds)
# per interval with real motion; an empty .truth means nothing may fire; and
# NAME.class, its scene class (object, global-light, noise, shadow,
# headlight, local-light-object) for the per-class table.
# Motion ignores the first 2 s (+ pre_capture + minimum_motion_frames
# frames) after it opens a camera and, measured, still starts events late
# (3.0 s motion seen at 4-7 s) for a few seconds more; netcam-motion warms
# up for 1 s. So nothing changes before 6 s: both get the same chance.
#
# Cached: DIR/WxH/ is only rebuilt when this script changes.
#
# usage: bench/motion/gen-clips.sh DIR WxH [WxH...]
# Exit status: 0 clips ready, 1 ffmpeg failed, 2 usage.

# $(box ...) below expands to several arguments on purpose.
# shellcheck disable=SC2046
set -euo pipefail

me=bench/motion/gen-clips.sh
[ $# -ge 2 ] || { echo "usage: $me DIR WxH [WxH...]" >&2; exit 2; }
top=$1
shift
command -v ffmpeg > /dev/null || { echo "$me: ffmpeg not found (apt-get install ffmpeg)" >&2; exit 1; }
stamp=$(md5sum "${BASH_SOURCE[0]}" | cut -d' ' -f1)

R=10 D=15
ff() { nice -n 5 ffmpeg -hide_banner -loglevel error -nostdin -y "$@"; }

gen_size() {
    local size=$1 W H S dir
    [[ $size =~ ^([0-9]+)x([0-9]+)$ ]] || { echo "$me: bad size '$size' (want WxH)" >&2; exit 2; }
    W=${BASH_REMATCH[1]} H=${BASH_REMATCH[2]}
    # Scenes are laid out on 320x180; other aspect ratios would distort them.
    if [ $((W * 180)) -ne $((H * 320)) ] || [ $((W % 320)) -ne 0 ]; then
        echo "$me: $size: want a multiple of 320x180" >&2
        exit 2
    fi
    S=$((W / 320))
    dir=$top/$size
    if [ -f "$dir/.stamp" ] && [ "$(cat "$dir/.stamp")" = "$stamp" ]; then
        echo "bench clips $size: cached in $dir"
        return
    fi
    mkdir -p "$dir"
    rm -f "$dir"/*.y4m "$dir"/*.truth "$dir"/*.class "$dir"/*.png "$dir/.stamp"

    # The static scene (one frame of testsrc2) and a flat grey one.
    ff -f lavfi -i "testsrc2=s=${W}x${H}:r=1" -frames:v 1 "$dir/scene.png"
    ff -f lavfi -i "color=c=0x606060:s=${W}x${H}:r=1" -frames:v 1 "$dir/grey.png"

    # clip NAME SCENE "TRUTH LINES" FILTER [extra inputs...]
    # The scene is input 0 ([0]); FILTER must end in a label-less output.
    clip() {
        local name=$1 scene=$2 truth=$3 filter=$4
        shift 4
        ff -loop 1 -framerate $R -t $D -i "$dir/$scene.png" "$@" \
            -filter_complex "$filter,format=yuv420p" -t $D -r $R \
            -f yuv4mpegpipe "$dir/$name.y4m.tmp"
        mv "$dir/$name.y4m.tmp" "$dir/$name.y4m"
        printf '%s' "$truth" > "$dir/$name.truth"
    }
    # box SIZE COLOR: an extra lavfi input, a square of SIZE (320-scale) px;
    # its words ("-f lavfi -i SPEC", no spaces in SPEC) are meant to split.
    box() { echo -f lavfi -i "color=c=$2:s=$(($1 * S))x$(($1 * S)):r=$R"; }
    # mv_obj A B X0 Y SPEED [Y_SPEED]: [1] over [0], visible between A and B
    # seconds, from (X0, Y) at SPEED px/s (320-scale).
    mv_obj() {
        echo "[0][1]overlay=x='$(($3 * S))+(t-$1)*$(($5 * S))':y='$(($4 * S))+(t-$1)*$((${6:-0} * S))':enable='between(t,$1,$2)'"
    }

    # --- must fire: objects from 0.4 % to 11 % of the frame ---------------
    clip big_fast scene $'6 8\n' "$(mv_obj 6 8 0 40 120)" $(box 80 white)
    clip medium scene $'6 11\n' "$(mv_obj 6 11 20 60 50 5)" $(box 40 0x202020)
    clip small_slow scene $'6 13\n' "$(mv_obj 6 13 40 100 12)" $(box 16 white)
    clip low_contrast grey $'6 12\n' "$(mv_obj 6 12 30 60 30),noise=alls=4:allf=t" $(box 40 0x747474)
    clip noisy_object scene $'6 11\n' "$(mv_obj 6 11 10 50 50),noise=alls=25:allf=t" $(box 48 0x404040)
    clip two_events scene $'6 7.5\n11.5 13\n' \
        "[0][1]overlay=x='(t-6)*$((100 * S))':y=$((20 * S)):enable='between(t,6,7.5)'[a];[a][2]overlay=x='$((300 * S))-(t-11.5)*$((100 * S))':y=$((110 * S)):enable='between(t,11.5,13)'" \
        $(box 40 white) $(box 40 black)

    # --- must not fire ------------------------------------------------------
    # light switched on at 7 s and off at 11 s
    clip light_switch scene '' "[0]lutyuv=y='clip(val*1.5+20,16,235)':enable='between(t,7,11)'"
    # heavy sensor noise
    clip heavy_noise scene '' "[0]noise=alls=40:allf=t"
    # auto-exposure hunting: brightness and contrast pumping over 3 s
    clip auto_exposure scene '' \
        "[0]eq=brightness='0.08*sin(2*PI*t/3)':contrast='1+0.2*sin(2*PI*t/3)':eval=frame"

    # each clip's scene class, for the per-class table (NAME.class)
    for n in big_fast medium small_slow low_contrast noisy_object two_events; do
        echo object > "$dir/$n.class"
    done
    echo global-light > "$dir/light_switch.class"
    echo global-light > "$dir/auto_exposure.class"
    echo noise > "$dir/heavy_noise.class"

    # --- local light on a textured scene: must not fire, but the objects
    # under it must. Made at 320x180 (the light is a per-pixel expression)
    # and scaled up, camera noise added at full size; the light is still
    # until 6 s, then moves.
    ff -f lavfi -i "testsrc2=s=320x180:r=1" \
        -f lavfi -i "color=c=0x808080:s=40x24:r=1,noise=alls=100:allf=u:all_seed=3,scale=320x180:flags=bicubic" \
        -f lavfi -i "color=c=0x808080:s=106x60:r=1,noise=alls=100:allf=u:all_seed=4,scale=320x180:flags=bicubic" \
        -filter_complex "[0]format=gray[a];[1]format=gray[b];[2]format=gray[c];[b][c]blend=all_expr='(A+B)/2'[n];[a][n]blend=all_expr='A*0.3+B*0.7',eq=contrast=2" \
        -frames:v 1 "$dir/texture.png"
    ff -i "$dir/texture.png" -vf "format=gray,lutyuv=y='16+val*0.3'" -frames:v 1 "$dir/night.png"
    # the light's centre: X0 until 6 s, then SPEED px/s on
    at() { echo "($1+max(T-6,0)*$2)"; }
    shadow() {   # X0 SPEED Y RX RY STRENGTH
        echo "lum(X,Y)*(1-$6*exp(-(pow((X-$(at "$1" "$2"))/$4,2)+pow((Y-$3)/$5,2))/2))"
    }
    glow() {     # X0 SPEED Y R GAIN
        echo "min(255,lum(X,Y)*(1+($5-1)*exp(-(pow(X-$(at "$1" "$2"),2)+pow(Y-$3,2))/(2*$4*$4))))"
    }
    # lclip NAME CLASS SCENE TRUTH PRE POST [inputs]: PRE (objects, 320
    # scale) then the light, scaled to the size, camera noise
    lclip() {
        local name=$1 class=$2 scene=$3 truth=$4 pre=$5 post=$6
        shift 6
        ff -loop 1 -framerate $R -t $D -i "$dir/$scene.png" "$@" \
            -filter_complex "${pre}format=gray,geq=lum='$post',scale=${W}x${H}:flags=bicubic,noise=alls=4:allf=t,format=yuv420p" \
            -t $D -r $R -f yuv4mpegpipe "$dir/$name.y4m.tmp"
        mv "$dir/$name.y4m.tmp" "$dir/$name.y4m"
        printf '%s' "$truth" > "$dir/$name.truth"
        echo "$class" > "$dir/$name.class"
    }
    lbox() { echo -f lavfi -i "color=c=$3:s=$1x$2:r=$R"; }
    lclip shadow_round shadow texture '' '' "$(shadow 40 30 90 45 45 0.4)"
    lclip shadow_long shadow texture '' '' "$(shadow -20 40 60 70 25 0.5)"
    lclip headlight_medium headlight night '' '' "$(glow -120 120 80 35 2.5)"
    lclip headlight_large headlight night '' '' "$(glow -150 100 90 60 2)"
    lclip person_in_shadow local-light-object texture $'8 13\n' \
        "[0][1]overlay=x='60+(t-8)*25':y=70:enable='between(t,8,13)'," \
        "$(shadow 20 25 90 55 55 0.4)" $(lbox 16 40 0x383838)
    lclip car_headlights local-light-object night $'9 12\n' \
        "[0][1]overlay=x='-60+(t-9)*110':y=95:enable='between(t,9,12.5)',format=gray,geq=lum='$(glow '(40-9*110+6*110)' 110 105 30 2.5)'," \
        "lum(X,Y)" $(lbox 60 24 0x606060)

    rm -f "$dir"/*.png
    echo "$stamp" > "$dir/.stamp"
    echo "bench clips $size: generated in $dir"
}

for size in "$@"; do
    gen_size "$size"
done
