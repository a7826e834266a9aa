-- Web Push subscriptions (docs/push.md#web-push): where a device's browser receives pushes. One
-- per device, replaced when the browser rotates it, gone with the device. The keys are the
-- browser's public ECDH key and auth secret (RFC 8291); the endpoint is checked against
-- push.webPush.allowedEndpoints before it is stored. Times come from the gateway's clock.

CREATE TABLE push_subscriptions (
  device_id   text PRIMARY KEY REFERENCES push_devices(id) ON DELETE CASCADE,
  endpoint    text NOT NULL,
  p256dh      text NOT NULL,
  auth        text NOT NULL,
  locale      text NOT NULL,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL
);
