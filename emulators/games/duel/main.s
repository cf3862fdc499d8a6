; Duel - a two-paddle ball game for the NES (Arcade Arena, MIT licence).
; Build: ca65 -I ../shared main.s && ld65 -C duel.cfg (see scripts/build-games.ts)
; RAM map and host interface: see README.md in this folder.

.include "nes.inc"
.include "tiles.inc"
.include "font.inc"
.include "charmap.inc"

.segment "HEADER"
  .byte $4E, $45, $53, $1A   ; "NES" EOF (raw bytes: text goes through the charmap)
  .byte 1                  ; 16 KiB PRG-ROM
  .byte 1                  ; 8 KiB CHR-ROM
  .byte $00                ; mapper 0, horizontal mirroring
  .byte $00
  .res 8, $00

.include "core.inc"
.include "chr.inc"

; ---- documented game variables (fixed addresses, see README.md) ----
playing      = $40         ; 1 once play has begun after START
game_over    = $41         ; 1 when the game has ended
score_p1     = $42         ; left player's points, binary (0..21)
score_p2     = $43         ; right player's points, binary (0..21)
ball_x       = $44         ; ball left edge, pixels
ball_y       = $45         ; ball top edge, pixels (32..218)
ball_vx_lo   = $46         ; ball x velocity, signed 8.8 pixels per frame
ball_vx_hi   = $47
ball_vy_lo   = $48         ; ball y velocity, signed 8.8 (negative = upwards)
ball_vy_hi   = $49
paddle1_y    = $4A         ; left paddle top edge (32..192), 32 tall, x 16..21
paddle2_y    = $4B         ; right paddle top edge (32..192), 32 tall, x 234..239
winner       = $4C         ; 0 = none yet, 1 = left player, 2 = right player
ball_state   = $4D         ; 0 = waiting to be served, 1 = in play
cpu_level    = $4E         ; 0 easy, 1 normal, 2 hard (read at START)
p2_mode      = $4F         ; 0 computer plays the right paddle, 1 controller 2
rally_hits   = $50         ; paddle hits since the last serve
speed_level  = $51         ; 0..3
serve_timer  = $52         ; frames until the waiting ball is served

; ---- internal variables ----
ball_xf      = $60
ball_yf      = $61
dir_x        = $62         ; 0 = right, 1 = left
dir_y        = $63         ; 0 = down, 1 = up
angle        = $64         ; 0 = flat .. 2 = steep
old_x        = $65
cpu_target   = $66         ; where the computer wants its paddle top
cpu_timer    = $67         ; frames until the computer looks at the ball again
over_drawn   = $68
cpu_frac     = $69         ; sub-pixel part of the computer's movement
cpu_step     = $6A         ; pixels the computer may move this frame

; ---- playfield geometry ----
FIELD_T      = 32
FIELD_B      = 224
BALL_SIZE    = 6
BALL_MAX_Y   = FIELD_B - BALL_SIZE
PADDLE_H     = 32
PADDLE_MIN_Y = FIELD_T
PADDLE_MAX_Y = FIELD_B - PADDLE_H
PADDLE1_X    = 16
PADDLE2_X    = 234
FACE1_X      = PADDLE1_X + 6          ; ball x when touching the left paddle
FACE2_X      = PADDLE2_X - BALL_SIZE  ; ball x when touching the right paddle
PADDLE_SPEED = 3
SERVE_X      = 125
SERVE_FRAMES = 60
OUT_LEFT     = 4
OUT_RIGHT    = 246
WIN_POINTS   = 21
PADDLE_MID   = (PADDLE_MIN_Y + PADDLE_MAX_Y) / 2

T_WALL       = $01
T_NET        = $02
T_BLOCK      = $03
T_BALL       = $40
T_PAD_TOP    = $41
T_PAD_MID    = $42
T_PAD_BOT    = $43

.segment "CODE"

main:
  jsr title_screen
  jsr start_game
@frame:
  jsr wait_frame
  jsr buf_begin
  jsr read_pads
  lda game_over
  bne @idle
  jsr move_left
  jsr move_right
  lda ball_state
  bne @flying
  jsr serve_wait
  jmp @idle
@flying:
  jsr move_ball
@idle:
  jsr draw_hud
  jsr draw_sprites
  jsr buf_end
  jmp @frame

; ---------------------------------------------------------------- title
title_screen:
  SET_PTR palette
  jsr load_palette
  jsr clear_nametable
  SET_PTR title_text
  jsr draw_records
  SET_PTR big_title
  jsr draw_records
  jsr title_attributes
  jsr ppu_on
@wait:
  jsr wait_frame
  jsr read_pads
  lda pad1_new
  and #BTN_START
  beq @wait
  rts

; Title screen: rows 8..15 use palette 1 (the big title).
title_attributes:
  bit PPUSTATUS
  lda #$23
  sta PPUADDR
  lda #$D0
  sta PPUADDR
  ldx #16
  lda #$55
@loop:
  sta PPUDATA
  dex
  bne @loop
  rts

; ---------------------------------------------------------------- game start
start_game:
  jsr seed_rng
  lda HOST_LEVEL
  cmp #3
  bcc @level
  lda #2
@level:
  sta cpu_level
  lda HOST_P2MODE
  beq @mode
  lda #1
@mode:
  sta p2_mode
  lda #0
  sta score_p1
  sta score_p2
  sta winner
  sta game_over
  sta over_drawn
  sta cpu_timer
  sta cpu_frac
  lda #PADDLE_MID
  sta paddle1_y
  sta paddle2_y
  sta cpu_target
  jsr rng_byte
  and #1
  jsr new_serve
  jsr ppu_off
  jsr clear_nametable
  SET_PTR play_text
  jsr draw_records
  SET_PTR p2_text
  lda p2_mode
  bne @label
  SET_PTR cpu_text
@label:
  jsr draw_records
  jsr draw_field
  jsr draw_sprites
  jsr ppu_on
  lda #1
  sta playing
  rts

draw_field:
  lda #$20                 ; top wall, row 3
  sta tmp1
  lda #$60
  sta tmp0
  lda #0
  sta tmp2
  ldx #32
  lda #T_WALL
  jsr fill_run
  lda #$23                 ; bottom wall, row 28
  sta tmp1
  lda #$80
  sta tmp0
  ldx #32
  lda #T_WALL
  jsr fill_run
  lda #$20                 ; net, column 15, rows 4..27
  sta tmp1
  lda #$8F
  sta tmp0
  lda #1
  sta tmp2
  ldx #24
  lda #T_NET
  jmp fill_run

; A = direction of the coming serve (0 right, 1 left): put the ball in the
; middle and start the serve timer.
new_serve:
  sta dir_x
  lda #0
  sta ball_state
  sta rally_hits
  sta speed_level
  sta ball_xf
  sta ball_yf
  sta ball_vx_lo
  sta ball_vx_hi
  sta ball_vy_lo
  sta ball_vy_hi
  lda #SERVE_X
  sta ball_x
  jsr rng_byte
  and #$7F
  clc
  adc #60
  sta ball_y
  lda #SERVE_FRAMES
  sta serve_timer
  rts

serve_wait:
  dec serve_timer
  bne @done
  jsr rng_byte
  and #1
  sta dir_y
  jsr rng_byte
  and #1
  sta angle
  lda #1
  sta ball_state
  jmp set_velocity
@done:
  rts

; ---------------------------------------------------------------- paddles
; Controller 1 UP/DOWN moves the left paddle.
move_left:
  lda pad1
  ldx paddle1_y
  jsr human_move
  stx paddle1_y
  rts

; The right paddle: controller 2, or the computer.
move_right:
  lda p2_mode
  beq cpu_move
  lda pad2
  ldx paddle2_y
  jsr human_move
  stx paddle2_y
  rts

; A = buttons, X = paddle y -> X = new paddle y
human_move:
  sta tmp0
  and #BTN_UP
  beq @down
  txa
  sec
  sbc #PADDLE_SPEED
  cmp #PADDLE_MIN_Y
  bcs @setu
  lda #PADDLE_MIN_Y
@setu:
  tax
@down:
  lda tmp0
  and #BTN_DOWN
  beq @done
  txa
  clc
  adc #PADDLE_SPEED
  cmp #PADDLE_MAX_Y + 1
  bcc @setd
  lda #PADDLE_MAX_Y
@setd:
  tax
@done:
  rts

; Computer opponent: every cpu_period frames it picks a target from the
; ball position plus an aim error, then moves at most cpu_speed pixels a
; frame towards it.
cpu_move:
  ldy cpu_level
  dec cpu_timer
  bpl @move
  lda cpu_period, y
  sta cpu_timer
  lda #PADDLE_MID          ; ball going away (or not served): back to middle
  ldx ball_state
  beq @set_target
  ldx dir_x
  bne @set_target
  jsr rng_byte             ; target = ball_y + error - 13, 16-bit
  and cpu_error_mask, y    ; random 0..mask
  clc
  adc ball_y
  sta tmp0
  lda #0
  adc #0
  sta tmp1
  lda cpu_error_half, y    ; minus mask/2, minus the paddle/ball centring
  clc
  adc #(PADDLE_H - BALL_SIZE) / 2
  sta tmp2
  lda tmp0
  sec
  sbc tmp2
  sta tmp0
  lda tmp1
  sbc #0
  bmi @top
  bne @bottom
  lda tmp0
  cmp #PADDLE_MIN_Y
  bcc @top
  cmp #PADDLE_MAX_Y + 1
  bcc @set_target
@bottom:
  lda #PADDLE_MAX_Y
  bne @set_target
@top:
  lda #PADDLE_MIN_Y
@set_target:
  sta cpu_target
@move:
  lda cpu_frac             ; this frame's step: 8.8 speed, fraction carried
  clc
  adc cpu_speed_frac, y
  sta cpu_frac
  lda cpu_speed, y
  adc #0
  sta cpu_step
  lda cpu_target
  sec
  sbc paddle2_y
  beq @done
  bcc @up
  cmp cpu_step             ; distance down
  bcc @step_down
  lda cpu_step
@step_down:
  clc
  adc paddle2_y
  sta paddle2_y
  rts
@up:
  eor #$FF                 ; distance up = -(target - y)
  clc
  adc #1
  cmp cpu_step
  bcc @step_up
  lda cpu_step
@step_up:
  sta tmp0
  lda paddle2_y
  sec
  sbc tmp0
  sta paddle2_y
@done:
  rts

; ---------------------------------------------------------------- ball
set_velocity:
  lda speed_level
  asl a
  clc
  adc speed_level
  adc angle
  asl a
  tax
  lda vx_table, x
  sta ball_vx_lo
  lda vx_table + 1, x
  sta ball_vx_hi
  lda vy_table, x
  sta ball_vy_lo
  lda vy_table + 1, x
  sta ball_vy_hi
  lda dir_x
  beq @vy
  sec
  lda #0
  sbc ball_vx_lo
  sta ball_vx_lo
  lda #0
  sbc ball_vx_hi
  sta ball_vx_hi
@vy:
  lda dir_y
  beq @done
  sec
  lda #0
  sbc ball_vy_lo
  sta ball_vy_lo
  lda #0
  sbc ball_vy_hi
  sta ball_vy_hi
@done:
  rts

move_ball:
  ; ---- vertical: top and bottom walls ----
  clc
  lda ball_yf
  adc ball_vy_lo
  sta ball_yf
  lda ball_y
  adc ball_vy_hi
  sta ball_y
  lda dir_y
  beq @down
  lda ball_y
  cmp #FIELD_T
  bcs @horizontal
  lda #FIELD_T
  sta ball_y
  lda #0
  sta dir_y
  beq @bounce_y
@down:
  lda ball_y
  cmp #BALL_MAX_Y + 1
  bcc @horizontal
  lda #BALL_MAX_Y
  sta ball_y
  lda #1
  sta dir_y
@bounce_y:
  lda #0
  sta ball_yf
  jsr set_velocity
@horizontal:
  lda ball_x
  sta old_x
  clc
  lda ball_xf
  adc ball_vx_lo
  sta ball_xf
  lda ball_x
  adc ball_vx_hi
  sta ball_x
  lda dir_x
  beq @right
  ; ---- moving left ----
  lda old_x
  cmp #FACE1_X
  bcc @left_out
  lda ball_x
  cmp #FACE1_X
  bcs @done
  ldx paddle1_y
  jsr paddle_overlap
  bcc @left_out
  lda #FACE1_X
  sta ball_x
  lda #0
  sta dir_x
  lda paddle1_y
  jmp paddle_bounce
@left_out:
  lda ball_x
  cmp #OUT_LEFT
  bcs @done
  inc score_p2
  lda #0                   ; next serve goes to the left player
  jmp point_scored
@right:
  lda old_x
  cmp #FACE2_X + 1
  bcs @right_out
  lda ball_x
  cmp #FACE2_X + 1
  bcc @done
  ldx paddle2_y
  jsr paddle_overlap
  bcc @right_out
  lda #FACE2_X
  sta ball_x
  lda #1
  sta dir_x
  lda paddle2_y
  jmp paddle_bounce
@right_out:
  lda ball_x
  cmp #OUT_RIGHT + 1
  bcc @done
  inc score_p1
  lda #1
  jmp point_scored
@done:
  rts

; X = paddle y -> C set when the ball overlaps the paddle vertically
paddle_overlap:
  stx tmp0
  lda ball_y               ; ball_y + 6 > paddle_y
  clc
  adc #BALL_SIZE
  cmp tmp0
  bcc @no
  beq @no
  lda tmp0                 ; paddle_y + 32 > ball_y
  clc
  adc #PADDLE_H
  cmp ball_y
  bcc @no
  beq @no
  sec
  rts
@no:
  clc
  rts

; A = paddle y: new angle from where the ball hit, speed up with the rally.
paddle_bounce:
  sta tmp0
  lda #0
  sta ball_xf
  lda ball_y               ; segment = (ball centre - paddle y + 4) / 5
  clc
  adc #BALL_SIZE / 2 + 4
  sec
  sbc tmp0
  bcs @pos
  lda #0
@pos:
  ldx #0
@div:
  cmp #5
  bcc @seg
  sbc #5
  inx
  bne @div
@seg:
  cpx #8
  bcc @ok
  ldx #7
@ok:
  lda seg_angle, x
  sta angle
  lda seg_dir, x
  bmi @keep
  sta dir_y
@keep:
  inc rally_hits
  bne @nowrap
  dec rally_hits
@nowrap:
  lda rally_hits
  lsr a
  lsr a
  cmp #4
  bcc @speed
  lda #3
@speed:
  sta speed_level
  jmp set_velocity

; A = next serve direction. Ends the game at WIN_POINTS.
point_scored:
  pha
  lda score_p1
  cmp #WIN_POINTS
  bcs @p1_wins
  lda score_p2
  cmp #WIN_POINTS
  bcs @p2_wins
  pla
  jmp new_serve
@p1_wins:
  lda #1
  bne @end
@p2_wins:
  lda #2
@end:
  sta winner
  pla
  lda #1
  sta game_over
  lda #0
  sta ball_state
  ; the winner's message
  SET_PTR game_over_rec
  jsr buf_copy
  SET_PTR p1_wins_rec
  lda winner
  cmp #1
  beq @msg
  SET_PTR p2_wins_rec
  lda p2_mode
  bne @msg
  SET_PTR cpu_wins_rec
@msg:
  jmp buf_copy

; ---------------------------------------------------------------- drawing
; Both scores as two decimal digits, every frame.
draw_hud:
  ldx buf_idx
  lda #$20
  sta BUF, x
  lda #$46
  sta BUF + 1, x
  lda #2
  sta BUF + 2, x
  lda score_p1
  jsr two_digits
  sta BUF + 4, x
  tya
  sta BUF + 3, x
  lda #$20
  sta BUF + 5, x
  lda #$5A
  sta BUF + 6, x
  lda #2
  sta BUF + 7, x
  lda score_p2
  jsr two_digits
  sta BUF + 9, x
  tya
  sta BUF + 8, x
  txa
  clc
  adc #10
  sta buf_idx
  rts

; A = 0..99 -> Y = tens tile, A = ones tile (tens shown as blank if 0)
two_digits:
  ldy #$10
@tens:
  cmp #10
  bcc @ones
  sbc #10
  iny
  bne @tens
@ones:
  clc
  adc #$10
  cpy #$10
  bne @done
  ldy #$00
@done:
  rts

draw_sprites:
  ; sprite 0: ball (hidden once the game is over)
  lda ball_y
  sec
  sbc #1
  ldx game_over
  beq @show
  lda #$FF
@show:
  sta OAM
  lda #T_BALL
  sta OAM + 1
  lda #0
  sta OAM + 2
  lda ball_x
  sta OAM + 3
  ; sprites 1-4 left paddle, 5-8 right paddle
  lda paddle1_y
  ldx #4
  ldy #1
  jsr paddle_sprites
  lda #PADDLE1_X
  jsr paddle_xs
  lda paddle2_y
  ldx #20
  ldy #2
  jsr paddle_sprites
  lda #PADDLE2_X
  ; fall through

; A = x, X = OAM offset after the 4 paddle sprites
paddle_xs:
  sta OAM - 1, x
  sta OAM - 5, x
  sta OAM - 9, x
  sta OAM - 13, x
  rts

; A = paddle y, X = OAM offset, Y = palette -> X = offset after the sprites
paddle_sprites:
  sec
  sbc #1
  sta tmp0
  sty tmp1
  ldy #0
@loop:
  lda tmp0
  sta OAM, x
  clc
  adc #8
  sta tmp0
  lda paddle_tiles, y
  sta OAM + 1, x
  lda tmp1
  sta OAM + 2, x
  inx
  inx
  inx
  inx
  iny
  cpy #4
  bne @loop
  rts

.segment "RODATA"

palette:
  .byte $0F, $30, $10, $00   ; text white, walls and net grey
  .byte $0F, $11, $21, $00   ; title blocks: light blue, blue shadow
  .byte $0F, $30, $10, $00
  .byte $0F, $30, $10, $00
  .byte $0F, $30, $30, $30   ; ball: white
  .byte $0F, $21, $21, $21   ; left paddle: light blue
  .byte $0F, $27, $27, $27   ; right paddle: orange
  .byte $0F, $00, $00, $00

paddle_tiles:
  .byte T_PAD_TOP, T_PAD_MID, T_PAD_MID, T_PAD_BOT

; Ball speed table: speed levels 2.0, 2.5, 3.0, 3.5 pixels per frame at
; 15, 30 and 45 degrees from horizontal, in 1/256 pixel per frame.
vx_table:
  .word 495, 443, 362, 618, 554, 453, 742, 665, 543, 865, 776, 634
vy_table:
  .word 133, 256, 362, 166, 320, 453, 199, 384, 543, 232, 448, 634

; Paddle segment (5 pixels each, top to bottom): angle and vertical
; direction ($FF = keep the incoming direction).
seg_angle:
  .byte 2, 2, 1, 0, 0, 1, 2, 2
seg_dir:
  .byte 1, 1, 1, $FF, $FF, 0, 0, 0

; Computer opponent per level: easy, normal, hard.
cpu_speed:                 ; top speed, whole pixels per frame ...
  .byte 1, 1, 2
cpu_speed_frac:            ; ... and 1/256 pixels: 1.25, 1.75, 2.25
  .byte 64, 192, 64
cpu_period:                ; frames between looks at the ball (reaction)
  .byte 16, 8, 3
cpu_error_mask:            ; aim error range (random 0..mask)
  .byte 47, 23, 11
cpu_error_half:            ; ... centred around zero: +-24, +-12, +-6
  .byte 24, 12, 6

title_text:
  REC $22AA, 11
  .byte "PRESS START"
  REC $2323, 26
  .byte "ARCADE ARENA   MIT LICENCE"
  .byte 0

; big title "DUEL": 3x5 blocks per letter, generated layout
big_title:
  REC $2148, 15
  .byte T_BLOCK, T_BLOCK, 0, 0, T_BLOCK, 0, T_BLOCK, 0, T_BLOCK, T_BLOCK, T_BLOCK, 0, T_BLOCK, 0, 0
  REC $2168, 15
  .byte T_BLOCK, 0, T_BLOCK, 0, T_BLOCK, 0, T_BLOCK, 0, T_BLOCK, 0, 0, 0, T_BLOCK, 0, 0
  REC $2188, 15
  .byte T_BLOCK, 0, T_BLOCK, 0, T_BLOCK, 0, T_BLOCK, 0, T_BLOCK, T_BLOCK, 0, 0, T_BLOCK, 0, 0
  REC $21A8, 15
  .byte T_BLOCK, 0, T_BLOCK, 0, T_BLOCK, 0, T_BLOCK, 0, T_BLOCK, 0, 0, 0, T_BLOCK, 0, 0
  REC $21C8, 15
  .byte T_BLOCK, T_BLOCK, 0, 0, T_BLOCK, T_BLOCK, T_BLOCK, 0, T_BLOCK, T_BLOCK, T_BLOCK, 0, T_BLOCK, T_BLOCK, T_BLOCK
  .byte 0

play_text:
  REC $2042, 2
  .byte "P1"
  .byte 0

p2_text:
  REC $2056, 2
  .byte "P2"
  .byte 0

cpu_text:
  REC $2055, 3
  .byte "CPU"
  .byte 0

game_over_rec:
  REC $21CB, 9
  .byte "GAME OVER"

p1_wins_rec:
  REC $220A, 12
  .byte "PLAYER 1 WON"

p2_wins_rec:
  REC $220A, 12
  .byte "PLAYER 2 WON"

cpu_wins_rec:
  REC $220A, 12
  .byte "COMPUTER WON"

.segment "VECTORS"
  .word nmi, reset, irq
