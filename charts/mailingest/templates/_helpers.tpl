{{- define "mailingest.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "mailingest.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains (include "mailingest.name" .) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "mailingest.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "mailingest.selectorLabels" -}}
app.kubernetes.io/name: {{ include "mailingest.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "mailingest.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "mailingest.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "mailingest.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "mailingest.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "mailingest.configPath" -}}/etc/mailingest/appsettings.json{{- end -}}

{{/* Where the webhook's signing secret is mounted: a whole secret volume, not a subPath, so a rotated secret reaches the
file and the next delivery reads it (docs/configuration.md, MailIngest:Events:SecretFile). */}}
{{- define "mailingest.webhookSecretDir" -}}/var/run/secrets/mailingest-webhook{{- end -}}
{{- define "mailingest.webhookSecretFile" -}}{{ include "mailingest.webhookSecretDir" . }}/signing-secret{{- end -}}

{{/* The TCP port of an http(s) URL: the one it names, else the scheme's; 443 for an empty one (a queue reached by a
connection string, whose endpoint the chart cannot see). */}}
{{- define "mailingest.urlPort" -}}
{{- $url := urlParse . -}}
{{- if ne $url.host $url.hostname -}}
{{- last (splitList ":" $url.host) -}}
{{- else -}}
{{- eq $url.scheme "http" | ternary 80 443 -}}
{{- end -}}
{{- end -}}

{{/* A key of a mailbox in values (camelCase) as the setting's name (PascalCase), so appsettings.json reads like docs/configuration.md. */}}
{{- define "mailingest.settingName" -}}
{{- printf "%s%s" (upper (trunc 1 .)) (substr 1 (len .) .) -}}
{{- end -}}

{{/* A mailbox's values with mailboxDefaults filled in; the secret references are not settings and are left out. */}}
{{- define "mailingest.mailbox" -}}
{{- $root := index . 0 -}}
{{- $mailbox := omit (index . 1) "passwordSecret" "microsoft365" -}}
{{- with (index . 1).microsoft365 -}}
{{- $_ := set $mailbox "microsoft365" (omit . "clientSecretSecret") -}}
{{- end -}}
{{- toJson (merge $mailbox (deepCopy $root.Values.mailboxDefaults)) -}}
{{- end -}}

{{/* Seconds in an hh:mm:ss duration (the schema admits no other form). */}}
{{- define "mailingest.seconds" -}}
{{- $parts := splitList ":" . -}}
{{- add (mul (atoi (index $parts 0)) 3600) (mul (atoi (index $parts 1)) 60) (atoi (index $parts 2)) -}}
{{- end -}}

{{/*
The shard that `mailingest once --shard i/N` gives a mailbox (Shard.ShardOf in src/MailIngest/Cli/Shard.cs): the first
four bytes of SHA-256 over its name, big-endian, modulo N. Argument: (list NAME N).
*/}}
{{- define "mailingest.shardOf" -}}
{{- $digits := dict "0" 0 "1" 1 "2" 2 "3" 3 "4" 4 "5" 5 "6" 6 "7" 7 "8" 8 "9" 9 "a" 10 "b" 11 "c" 12 "d" 13 "e" 14 "f" 15 -}}
{{- $hash := 0 -}}
{{- range splitList "" (sha256sum (index . 0) | trunc 8) -}}
{{- $hash = add (mul $hash 16) (get $digits .) -}}
{{- end -}}
{{- mod $hash (index . 1) -}}
{{- end -}}

{{/* The mailboxes of each shard, as a dict from shard index to a list of names. */}}
{{- define "mailingest.shardMailboxes" -}}
{{- $shards := dict -}}
{{- range $name, $_ := .Values.mailboxes -}}
{{- $shard := include "mailingest.shardOf" (list $name (int $.Values.shards)) -}}
{{- $_ := set $shards $shard (append (get $shards $shard | default list) $name) -}}
{{- end -}}
{{- toJson $shards -}}
{{- end -}}

{{/*
The Job's activeDeadlineSeconds. `mailingest once` runs its mailboxes one after another, and a mailbox's run starts no new
message after its maxRunTime, so a pod needs at most the sum over its mailboxes of maxRunTime plus a grace for the message
in flight, the ledger, DELE and QUIT. The Job's pods run side by side, so the busiest shard sets the deadline.
*/}}
{{- define "mailingest.activeDeadlineSeconds" -}}
{{- if .Values.cronjob.activeDeadlineSeconds -}}
{{- .Values.cronjob.activeDeadlineSeconds -}}
{{- else -}}
{{- $grace := int .Values.cronjob.perMailboxGraceSeconds -}}
{{- $deadline := $grace -}}
{{- range $shard, $names := include "mailingest.shardMailboxes" . | fromJson -}}
{{- $sum := 0 -}}
{{- range $names -}}
{{- $maxRunTime := (include "mailingest.mailbox" (list $ (get $.Values.mailboxes .)) | fromJson).maxRunTime | default "00:00:00" -}}
{{- $seconds := include "mailingest.seconds" $maxRunTime | atoi -}}
{{- if eq $seconds 0 -}}
{{- fail (printf "mailboxes.%s has no maxRunTime (no limit), so the Job's deadline cannot be derived from it: set mailboxDefaults.maxRunTime, its own maxRunTime, or cronjob.activeDeadlineSeconds." .) -}}
{{- end -}}
{{- $sum = add $sum $seconds $grace -}}
{{- end -}}
{{- $deadline = max $deadline $sum -}}
{{- end -}}
{{- $deadline -}}
{{- end -}}
{{- end -}}

{{/* Checks the combinations the schema cannot express, with a message that says what to change. */}}
{{- define "mailingest.validate" -}}
{{- if and (eq .Values.storage.provider "FileSystem") (not .Values.storage.existingClaim) -}}
{{- fail "storage.provider FileSystem needs storage.existingClaim: the archive and its UIDL ledgers must outlive the pod (without them every run ingests everything again)." -}}
{{- end -}}
{{- if eq .Values.mode "deployment" -}}
{{- if and .Values.scheduler.clustered (not .Values.scheduler.connectionStringSecret) -}}
{{- fail "scheduler.clustered needs scheduler.connectionStringSecret {name, key}: the Secret key that holds the Quartz database's connection string." -}}
{{- end -}}
{{- if and (gt (int .Values.deployment.replicas) 1) (not .Values.scheduler.clustered) -}}
{{- fail (printf "deployment.replicas is %d, but more than one replica needs scheduler.clustered: true (with scheduler.connectionStringSecret); unclustered replicas would each run every mailbox." (int .Values.deployment.replicas)) -}}
{{- end -}}
{{- if gt (int .Values.shards) 1 -}}
{{- fail "shards applies to mode: cronjob; in mode: deployment, scale with deployment.replicas and scheduler.clustered." -}}
{{- end -}}
{{- end -}}
{{- range $name, $values := .Values.mailboxes -}}
{{- $settings := include "mailingest.mailbox" (list $ $values) | fromJson -}}
{{- if ne ($settings.protocol | default "Pop3") "Imap" -}}
{{- range $key := list "folders" "markSeen" "moveToFolder" "idle" -}}
{{- if hasKey $settings $key -}}
{{- fail (printf "mailboxes.%s.%s is an IMAP setting: set protocol: Imap for this mailbox (or in mailboxDefaults), or remove it." $name $key) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if and $settings.moveToFolder $settings.deleteAfterIngest -}}
{{- fail (printf "mailboxes.%s has both moveToFolder and deleteAfterIngest: keep one (moveToFolder moves each stored message, deleteAfterIngest deletes it)." $name) -}}
{{- end -}}
{{- if and $settings.idle (eq $.Values.mode "cronjob") -}}
{{- fail (printf "mailboxes.%s.idle needs mode: deployment: IDLE connections live in mailingest run, and a CronJob's mailingest once ends after one pass." $name) -}}
{{- end -}}
{{- end -}}
{{- range $name, $mailbox := .Values.mailboxes -}}
{{- if and $mailbox.passwordSecret $mailbox.microsoft365 -}}
{{- fail (printf "mailboxes.%s has both passwordSecret and microsoft365: keep one (microsoft365 logs in with a token from Microsoft Entra ID, without a password)." $name) -}}
{{- end -}}
{{- if not (or $mailbox.passwordSecret $mailbox.microsoft365 $.Values.existingSecret) -}}
{{- fail (printf "mailboxes.%s needs passwordSecret {name, key} (or existingSecret), or microsoft365 for an Exchange Online mailbox: how it logs in." $name) -}}
{{- end -}}
{{- if and (dig "microsoft365" "workloadIdentity" false $mailbox) (not $.Values.workloadIdentity.enabled) -}}
{{- fail (printf "mailboxes.%s.microsoft365.workloadIdentity needs workloadIdentity.enabled with workloadIdentity.clientId: the webhook projects the federated token into the pod." $name) -}}
{{- end -}}
{{- end -}}
{{- with .Values.events -}}
{{- if eq .sink "Webhook" -}}
{{- if not .url -}}
{{- fail "events.sink Webhook needs events.url: the https URL the events are POSTed to." -}}
{{- end -}}
{{- if not .signingSecret -}}
{{- fail "events.sink Webhook needs events.signingSecret {name, key}: the Secret key holding the signing secret, whsec_ and base64 of 24 to 64 random bytes (kubectl create secret generic mailingest-webhook --from-literal=secret=\"whsec_$(head -c 32 /dev/urandom | base64)\")." -}}
{{- end -}}
{{- end -}}
{{- if eq .sink "AzureQueue" -}}
{{- if not (or .serviceUri .connectionStringSecret) -}}
{{- fail "events.sink AzureQueue needs events.serviceUri (https://ACCOUNT.queue.core.windows.net, signed in with workloadIdentity) or events.connectionStringSecret {name, key}: how it reaches the queue." -}}
{{- end -}}
{{- if and .serviceUri .connectionStringSecret -}}
{{- fail "events.sink AzureQueue has both events.serviceUri and events.connectionStringSecret: keep one (serviceUri signs in with Azure identity, the connection string carries its own key)." -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if and .Values.workloadIdentity.enabled (not .Values.workloadIdentity.clientId) -}}
{{- fail "workloadIdentity.enabled needs workloadIdentity.clientId: the client ID of the managed identity or app registration the pod signs in as." -}}
{{- end -}}
{{- end -}}

{{/* The pod template both workloads share; argument: (list $ ARGS). */}}
{{- define "mailingest.podTemplate" -}}
{{- $root := index . 0 -}}
{{- $args := index . 1 -}}
{{- with $root -}}
metadata:
  labels:
    {{- include "mailingest.selectorLabels" . | nindent 4 }}
    {{- if .Values.workloadIdentity.enabled }}
    azure.workload.identity/use: "true"
    {{- end }}
    {{- with .Values.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  annotations:
    checksum/config: {{ include (print .Template.BasePath "/configmap.yaml") . | sha256sum }}
    {{- with .Values.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  {{- if eq .Values.mode "cronjob" }}
  # A Job's pod failure policy needs Never; the Job's backoffLimit decides on a new pod.
  restartPolicy: Never
  {{- end }}
  serviceAccountName: {{ include "mailingest.serviceAccountName" . }}
  # The pod calls no Kubernetes API; the workload identity webhook projects its own token when enabled.
  automountServiceAccountToken: false
  {{- with .Values.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  securityContext:
    {{- toYaml .Values.podSecurityContext | nindent 4 }}
  containers:
    - name: mailingest
      image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
      imagePullPolicy: {{ .Values.image.pullPolicy }}
      args:
        {{- toYaml $args | nindent 8 }}
      env:
        {{- if and (eq .Values.mode "cronjob") (gt (int .Values.shards) 1) }}
        # Set by the Job controller on Indexed Jobs too; named here because --shard refers to it.
        - name: JOB_COMPLETION_INDEX
          valueFrom:
            fieldRef:
              fieldPath: metadata.annotations['batch.kubernetes.io/job-completion-index']
        {{- end }}
        {{- range $name, $mailbox := .Values.mailboxes }}
        {{- with $mailbox.passwordSecret }}
        - name: MailIngest__Mailboxes__{{ $name }}__Password
          valueFrom:
            secretKeyRef:
              name: {{ .name }}
              key: {{ .key }}
        {{- end }}
        {{- with dig "microsoft365" "clientSecretSecret" dict $mailbox }}
        - name: MailIngest__Mailboxes__{{ $name }}__Microsoft365__ClientSecret
          valueFrom:
            secretKeyRef:
              name: {{ .name }}
              key: {{ .key }}
        {{- end }}
        {{- end }}
        {{- with .Values.storage.connectionStringSecret }}
        - name: MailIngest__Storage__ConnectionString
          valueFrom:
            secretKeyRef:
              name: {{ .name }}
              key: {{ .key }}
        {{- end }}
        {{- if eq .Values.events.sink "AzureQueue" }}
        {{- with .Values.events.connectionStringSecret }}
        - name: MailIngest__Events__ConnectionString
          valueFrom:
            secretKeyRef:
              name: {{ .name }}
              key: {{ .key }}
        {{- end }}
        {{- end }}
        {{- if and (eq .Values.mode "deployment") .Values.scheduler.clustered }}
        - name: MailIngest__Scheduler__ConnectionString
          valueFrom:
            secretKeyRef:
              name: {{ .Values.scheduler.connectionStringSecret.name }}
              key: {{ .Values.scheduler.connectionStringSecret.key }}
        {{- end }}
        {{- with .Values.extraEnv }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- with .Values.existingSecret }}
      envFrom:
        - secretRef:
            name: {{ . }}
      {{- end }}
      securityContext:
        {{- toYaml .Values.securityContext | nindent 8 }}
      resources:
        {{- toYaml .Values.resources | nindent 8 }}
      volumeMounts:
        - name: config
          mountPath: /etc/mailingest
          readOnly: true
        - name: tmp
          mountPath: /tmp
        {{- if eq .Values.storage.provider "FileSystem" }}
        - name: archive
          mountPath: {{ .Values.storage.path }}
        {{- end }}
        {{- range .Values.secretVolumes }}
        - name: secret-{{ .secretName }}
          mountPath: {{ .mountPath }}
          readOnly: true
        {{- end }}
        {{- if eq .Values.events.sink "Webhook" }}
        - name: webhook-signing-secret
          mountPath: {{ include "mailingest.webhookSecretDir" . }}
          readOnly: true
        {{- end }}
  volumes:
    - name: config
      configMap:
        name: {{ include "mailingest.fullname" . }}
    - name: tmp
      emptyDir:
        sizeLimit: {{ .Values.temp.sizeLimit }}
    {{- if eq .Values.storage.provider "FileSystem" }}
    - name: archive
      persistentVolumeClaim:
        claimName: {{ .Values.storage.existingClaim }}
    {{- end }}
    {{- range .Values.secretVolumes }}
    - name: secret-{{ .secretName }}
      secret:
        secretName: {{ .secretName }}
    {{- end }}
    {{- if eq .Values.events.sink "Webhook" }}
    - name: webhook-signing-secret
      secret:
        secretName: {{ .Values.events.signingSecret.name }}
        items:
          - key: {{ .Values.events.signingSecret.key }}
            path: {{ base (include "mailingest.webhookSecretFile" .) }}
    {{- end }}
  {{- with .Values.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}
{{- end -}}
